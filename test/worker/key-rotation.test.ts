import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet } from "jose";
import { x25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { b64uDecode } from "../../src/protocol/base64url.js";
import type { ChallengeResponseT, VerifyResponseT } from "../../src/protocol/schemas.js";
import { ASSERTION_KEYS, HPKE_KEYS, TEMPLATE_KEKS } from "../fixtures/keys.js";
import { call, callSettled, expectProblem, MODEL_ID, sealFor, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { tokenFor } from "./helpers/tokens.js";
import { restoreVaultEnv, setVaultEnv, vaultSql } from "./helpers/vault.js";
import { maintainEpochs } from "../../src/crypto/key-epochs.js";

const kekOnly = (version: number) => JSON.stringify(TEMPLATE_KEKS.filter((k) => k.version === version));
const DAY = 86_400_000;

async function epochOf(subjectId: string): Promise<number | null> {
  return (await vaultSql<{ epoch: number | null }>(subjectId, "SELECT epoch FROM subject_key"))[0]!.epoch;
}

async function epochRows(): Promise<{ epoch: number; kek_version: number }[]> {
  const { results } = await env.DB.prepare("SELECT epoch, kek_version FROM key_epochs ORDER BY epoch").all<{ epoch: number; kek_version: number }>();
  return results;
}

async function registeredEpoch(subjectId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT key_epoch FROM subject_registry WHERE subject_id = ?").bind(subjectId).first<{ key_epoch: number | null }>();
  return row?.key_epoch ?? null;
}

async function matches(s: Subject, face: Float32Array): Promise<boolean> {
  const res = await (await s.another()).verify(sameFace(face));
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as VerifyResponseT).match;
}

function cron(at: number): Promise<void> {
  return worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: at }), env, createExecutionContext());
}

/**
 * One file, one D1: the key epochs below are shared by these tests, which
 * therefore run in order and move time forward only (the cron's
 * scheduledTime; the vaults keep real time, which epochs do not depend on).
 */
describe.sequential("key epochs: rotation, rewrap, destruction (the erasure bound)", () => {
  let clock = Date.now();

  it("root KEK rotation: the epoch keys move to the new root version, then the old version can go", async () => {
    const face = randomFace();
    const s = await Subject.create("root-rot");
    await s.enrolled(face);
    // As before the rotation: version 1 is the root (first in the list).
    await maintainEpochs({ ...env, TEMPLATE_KEKS: JSON.stringify([...TEMPLATE_KEKS].reverse()) }, clock, { epochDays: 7, graceDays: 2 }, async () => 1);
    expect((await epochRows()).map((r) => r.kek_version)).toEqual([1]);
    expect(await matches(s, face)).toBe(true);

    // Rotated (version 2 first): the cron rewraps the epoch rows under it...
    await cron(clock);
    expect((await epochRows()).map((r) => r.kek_version)).toEqual([2]);
    // ...after which version 1 is no longer needed by anything.
    await setVaultEnv(s.id, { TEMPLATE_KEKS: kekOnly(2) });
    expect(await matches(s, face)).toBe(true);
    await restoreVaultEnv(s.id);
  });

  it("a backup of a deleted subject opens until its epoch is destroyed, and never after; live subjects move on", async () => {
    const deletedFace = randomFace();
    const d = await Subject.create("erased");
    await d.enrolled(deletedFace);
    const liveFace = randomFace();
    const live = await Subject.create("live");
    await live.enrolled(liveFace);
    const epoch1 = (await epochRows()).at(-1)!.epoch;
    expect(await epochOf(d.id)).toBe(epoch1);

    // A point-in-time copy of the subject's vault, then the delete.
    const backup = {
      key: await vaultSql(d.id, "SELECT * FROM subject_key"),
      templates: await vaultSql(d.id, "SELECT * FROM templates"),
    };
    expect((await d.delete()).status).toBe(204);
    const restore = async () => {
      await d.consent();
      for (const [table, rows] of Object.entries(backup)) {
        for (const row of rows) {
          const cols = Object.keys(row);
          await vaultSql(
            d.id,
            `INSERT OR REPLACE INTO ${table === "key" ? "subject_key" : table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
            ...cols.map((c) => row[c]!),
          );
        }
      }
    };
    // Within the bound the backup still opens: deletion is not yet irreversible (docs/SECURITY.md says so).
    await restore();
    expect(await matches(d, deletedFace)).toBe(true);
    expect((await d.delete()).status).toBe(204);

    // A week on: the cron starts a new epoch. Subject keys move to it (the next run, or on use).
    clock += 7 * DAY + 1000;
    await cron(clock);
    const epoch2 = (await epochRows()).at(-1)!.epoch;
    expect(epoch2).toBe(epoch1 + 1);
    clock += 3_600_000;
    await cron(clock);
    expect(await epochOf(live.id)).toBe(epoch2);
    expect(await registeredEpoch(live.id)).toBe(epoch2);
    // The old epoch stays through the grace period...
    expect((await epochRows()).map((r) => r.epoch)).toContain(epoch1);

    // ...and is destroyed after it: nothing registered depends on it.
    clock += 2 * DAY;
    await cron(clock);
    expect((await epochRows()).map((r) => r.epoch)).toEqual([epoch2]);

    // The same backup, restored now, opens nothing; the live subject is unaffected.
    await restore();
    await expectProblem(await (await d.another()).verify(sameFace(deletedFace)), "internal");
    expect(await matches(live, liveFace)).toBe(true);
  });

  it("an epoch that a registered subject still depends on is never destroyed", async () => {
    const s = await Subject.create("dependant");
    await s.enrolled(randomFace());
    const held = (await epochRows()).at(-1)!.epoch;
    clock += 7 * DAY + 1000;
    await cron(clock); // new epoch
    // The subject's rewrap keeps failing (its vault is unreachable, say): the registry still names the old epoch.
    await env.DB.prepare("UPDATE subject_registry SET key_epoch = ? WHERE subject_id = ?").bind(held, s.id).run();
    await setVaultEnv(s.id, { TEMPLATE_KEKS: "not json" });
    clock += 3 * DAY;
    await cron(clock);
    expect((await epochRows()).map((r) => r.epoch)).toContain(held);
    await restoreVaultEnv(s.id);
  });

  it("the admin rewrap moves a tenant's subjects to the current epoch and says how many remain", async () => {
    const faces = [randomFace(), randomFace()];
    const subjects = [await Subject.create("adm0"), await Subject.create("adm1")];
    for (const [i, s] of subjects.entries()) await s.enrolled(faces[i]!);
    clock += 7 * DAY + 1000;
    await cron(clock); // starts a new epoch; these two are now one behind
    const current = (await epochRows()).at(-1)!.epoch;
    for (const s of subjects) expect(await epochOf(s.id)).toBe(current - 1);
    const admin = await tokenFor("operator", "face:admin");
    const res = await call("POST", "/v1/admin/rewrap", { token: admin, body: { limit: 50 } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keyEpoch: number; rewrapped: number; remaining: number; kekVersion: number };
    expect(body).toMatchObject({ keyEpoch: current, kekVersion: 2, remaining: 0 });
    expect(body.rewrapped).toBeGreaterThanOrEqual(2);
    for (const s of subjects) expect(await epochOf(s.id)).toBe(current);
    const { results } = await env.DB.prepare("SELECT actor, outcome FROM audit_log WHERE subject_id = ? AND action = 'rewrap'").bind(subjects[0]!.id).all();
    expect(results).toEqual([{ actor: "operator", outcome: `rewrapped:epoch-${current}` }]);
  });

  it("the admin rewrap needs face:admin", async () => {
    const s = await Subject.create("kek-scope");
    await expectProblem(await call("POST", "/v1/admin/rewrap", { token: s.token, body: {} }), "insufficient-scope");
  });
});

describe("assertion signing key rotation", () => {
  it("JWKS serves the old and the new key; an assertion signed before the rotation still verifies", async () => {
    const face = randomFace();
    const s = await Subject.create("assert-rot");
    await s.enrolled(face);
    const current = ASSERTION_KEYS[0];
    const before = { ASSERTION_KEYS: JSON.stringify([current]) };

    const old = await assertionFrom(s, face, before);
    expect(decodeProtectedHeader(old).kid).toBe(current.kid);

    // Rotate: a new signing key first; the old one kept as a public key until its assertions expire.
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const next = { ...(await exportJWK(privateKey)), kid: "assert-rotated", alg: "EdDSA", use: "sig" };
    const { d: _d, ...oldPublic } = current;
    const after = { ASSERTION_KEYS: JSON.stringify([next, oldPublic]) };

    const jwks = (await (await callSettled("GET", "/.well-known/jwks.json", { env: after })).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).toEqual(["assert-rotated", current.kid]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    const keys = createLocalJWKSet(jwks);
    await expect(jwtVerify(old, keys, { issuer: env.ASSERTION_ISSUER })).resolves.toBeDefined();

    const fresh = await assertionFrom(s, face, after);
    expect(decodeProtectedHeader(fresh).kid).toBe("assert-rotated");
    await expect(jwtVerify(fresh, keys, { issuer: env.ASSERTION_ISSUER })).resolves.toBeDefined();
  });
});

describe("HPKE envelope key rotation", () => {
  it("a challenge naming the old key still works while it is listed; new challenges name the new key", async () => {
    const [current, previous] = HPKE_KEYS;
    const face = randomFace();
    const s = await Subject.create("hpke-rot");
    await s.enrolled(face);
    const before = { HPKE_KEYS: JSON.stringify([previous]) };
    const during = { HPKE_KEYS: JSON.stringify([current, previous]) };
    const after = { HPKE_KEYS: JSON.stringify([current]) };

    // In flight across the rotation: issued while `previous` was the current key.
    await setVaultEnv(s.id, before);
    const inFlight = await challengeWith(s, before);
    expect(inFlight.envelopeKey.kid).toBe(previous.kid);
    const inFlightEnvelope = await sealFor(inFlight, "verify", s.id, sameFace(face));

    await setVaultEnv(s.id, during);
    const res = await verifyWith(s, inFlight, inFlightEnvelope, during);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as VerifyResponseT).match).toBe(true);

    const fresh = await challengeWith(s, during);
    expect(fresh.envelopeKey.kid).toBe(current.kid);
    expect(fresh.envelopeKey.publicKey).not.toBe(inFlight.envelopeKey.publicKey);
    const freshRes = await verifyWith(s, fresh, await sealFor(fresh, "verify", s.id, sameFace(face)), during);
    expect(freshRes.status).toBe(200);

    // Once the old key is dropped, an envelope naming it is refused before the vault.
    await setVaultEnv(s.id, after);
    const late = await challengeWith(s, before);
    const lateEnvelope = await sealFor(late, "verify", s.id, sameFace(face), {
      kid: previous.kid,
      publicKey: x25519.getPublicKey(b64uDecode(previous.privateKey)),
    });
    await expectProblem(await verifyWith(s, late, lateEnvelope, after), "envelope-key-unknown");
    await restoreVaultEnv(s.id);
  });
});

async function challengeWith(s: Subject, bindings: Partial<Cloudflare.Env>): Promise<ChallengeResponseT> {
  const res = await callSettled("POST", "/v1/challenges", { env: bindings, token: s.token, body: { subjectId: s.id, purpose: "verify" } });
  expect(res.status).toBe(201);
  return (await res.json()) as ChallengeResponseT;
}

function verifyWith(s: Subject, ch: ChallengeResponseT, envelope: unknown, bindings: Partial<Cloudflare.Env>): Promise<Response> {
  return callSettled("POST", `/v1/subjects/${s.id}/verify`, {
    env: bindings,
    token: s.token,
    body: { challengeId: ch.challengeId, modelId: MODEL_ID, envelope },
  });
}

async function assertionFrom(s: Subject, face: Float32Array, bindings: Partial<Cloudflare.Env>): Promise<string> {
  const ch = await challengeWith(s, bindings);
  const res = await verifyWith(s, ch, await sealFor(ch, "verify", s.id, sameFace(face)), bindings);
  const body = (await res.json()) as VerifyResponseT;
  expect(body.match).toBe(true);
  return body.assertion!;
}
