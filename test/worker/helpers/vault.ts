import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { SubjectVault } from "../../../src/vault/subject-vault.js";

/** Runs `fn` against the vault instance itself (to call or patch it as the runtime holds it). */
export function withVault<R>(subjectId: string, fn: (vault: SubjectVault) => R | Promise<R>, tenant = "default"): Promise<R> {
  return runInDurableObject(vaultStub(subjectId, tenant), (instance) => fn(instance as unknown as SubjectVault));
}

/** The vault stub of a subject, addressed exactly as the worker does. */
export function vaultStub(subjectId: string, tenant = "default") {
  return env.VAULT.get(env.VAULT.idFromName(`${tenant}/${subjectId}`));
}

/** Runs SQL inside a subject's vault (to inspect state, or to play an attacker with storage access). */
export function vaultSql<T extends Record<string, SqlStorageValue>>(subjectId: string, query: string, ...bindings: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(vaultStub(subjectId), (_instance, state) => state.storage.sql.exec<T>(query, ...bindings).toArray());
}

/**
 * Replaces the env the live vault instance sees (e.g. TEMPLATE_KEKS before a
 * rotation) until `restoreVaultEnv`. The instance stays in memory between
 * these calls within a test; the keyring caches are keyed by secret value.
 */
export function setVaultEnv(subjectId: string, overrides: Partial<Cloudflare.Env>): Promise<void> {
  return withVault(subjectId, (vault) => {
    (vault as unknown as { env: Cloudflare.Env }).env = { ...env, ...overrides };
  });
}

export function restoreVaultEnv(subjectId: string): Promise<void> {
  return setVaultEnv(subjectId, {});
}

/** The actor a test names when it calls a vault directly. */
export const TEST_ACTOR = { sub: "test", clientId: null, requestId: "00000000-0000-4000-8000-000000000000" };

/**
 * Drives a vault's audit flush deterministically: runs its alarm now (the
 * test bindings set a long flush delay, so the runtime never fires it on its
 * own mid-test), then waits for any flush still under way and flushes what is left.
 */
export async function flushAudit(subjectId: string, tenant = "default"): Promise<void> {
  await runDurableObjectAlarm(vaultStub(subjectId, tenant));
  await withVault(subjectId, (vault) => (vault as unknown as { flushOutbox(): Promise<void> }).flushOutbox(), tenant);
}

/** Replaces the vault's clock (Unix ms) until `restoreVaultClock`: retention is tested by moving time. */
export function setVaultClock(subjectId: string, now: () => number, tenant = "default"): Promise<void> {
  return withVault(
    subjectId,
    (vault) => {
      (vault as unknown as { now: () => number }).now = now;
    },
    tenant,
  );
}

/**
 * Rewrites a subject's key row the way the first release stored it: the DEK
 * wrapped directly under root KEK `version`, no epoch (to test that such
 * vaults still open and move to the current epoch).
 */
export async function toLegacyKeyRow(subjectId: string, version: number, tenant = "default"): Promise<void> {
  const { epochRing } = await import("../../../src/crypto/key-epochs.js");
  const { keks, wrapSubjectKey } = await import("../../../src/crypto/keks.js");
  const { subjectKeyRow, unwrapKeyRow } = await import("../../../src/vault/subject-key.js");
  await runInDurableObject(vaultStub(subjectId, tenant), async (_instance, state) => {
    const who = { tenant, subjectId };
    const ring = await epochRing(env, Date.now());
    const row = subjectKeyRow(state.storage.sql)!;
    const dek = unwrapKeyRow(env, ring, who, row)!;
    const kek = keks(env).find((k) => k.version === version)!;
    const wrapped = wrapSubjectKey(kek, who, dek);
    state.storage.sql.exec("UPDATE subject_key SET kek_version = ?, epoch = NULL, wrapped = ? WHERE id = 1", version, wrapped.slice().buffer);
  });
}
