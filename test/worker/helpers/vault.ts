import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
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
export function vaultSql<T extends Record<string, SqlStorageValue>>(
  subjectId: string,
  query: string,
  ...bindings: SqlStorageValue[]
): Promise<T[]> {
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
