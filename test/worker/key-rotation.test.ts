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
import { flushAudit, restoreVaultEnv, setVaultEnv, vaultSql } from "./helpers/vault.js";

const kekOnly = (version: number) => JSON.stringify(TEMPLATE_KEKS.filter((k) => k.version === version));

async function kekVersionOf(subjectId: string): Promise<number> {
  return (await vaultSql<{ kek_version: number }>(subjectId, "SELECT kek_version FROM subject_key"))[0]!.kek_version;
}

async function registeredUnder(version: number, ids: string[]): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT subject_id FROM subject_registry WHERE kek_version = ?")
    .bind(version)
    .all<{ subject_id: string }>();
  return results.map((r) => r.subject_id).filter((id) => ids.includes(id));
}

/** A subject enrolled while the vault only knew KEK version 1, i.e. before the rotation. */
async function enrolledBeforeRotation(prefix: string, face: Float32Array): Promise<Subject> {
  const s = await Subject.create(prefix);
  await setVaultEnv(s.id, { TEMPLATE_KEKS: kekOnly(1) });
  await s.enrolled(face);
  await flushAudit(s.id);
  await restoreVaultEnv(s.id); // rotation: version 2 first, version 1 kept for unwrapping
  expect(await kekVersionOf(s.id)).toBe(1);
  return s;
}

async function matches(s: Subject, face: Float32Array): Promise<boolean> {
  const res = await s.verify(sameFace(face));
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as VerifyResponseT).match;
}

describe("template KEK rotation", () => {
  it("old subject keys open and are rewrapped on use; the admin rewrap moves the rest; then the old version can go", async () => {
    expect(TEMPLATE_KEKS.map((k) => k.version)).toEqual([2, 1]);
    const faces = [randomFace(), randomFace(), randomFace()];
    const subjects: Subject[] = [];
    for (const [i, face] of faces.entries()) subjects.push(await enrolledBeforeRotation(`kek${i}`, face));
    const ids = subjects.map((s) => s.id);
    expect(await registeredUnder(1, ids)).toHaveLength(3);

    // Used after the rotation: opens under version 1, rewrapped under version 2 in the same transaction.
    expect(await matches(subjects[0]!, faces[0]!)).toBe(true);
    expect(await kekVersionOf(subjects[0]!.id)).toBe(2);

    // The maintenance path moves every subject not used since.
    const admin = await tokenFor("operator", "face:admin");
    const res = await call("POST", "/v1/admin/rewrap", { token: admin, body: { limit: 50 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ kekVersion: 2, rewrapped: 2, unchanged: 1, failed: 0, remaining: 0 });
    for (const id of ids) expect(await kekVersionOf(id)).toBe(2);
    expect(await registeredUnder(1, ids)).toEqual([]);

    // Retire version 1: nothing depended on it any more.
    for (const [i, s] of subjects.entries()) {
      await setVaultEnv(s.id, { TEMPLATE_KEKS: kekOnly(2) });
      expect(await matches(s, faces[i]!)).toBe(true);
      await restoreVaultEnv(s.id);
    }
  });

  it("the hourly cron rewraps subjects still under an older KEK, a batch per run", async () => {
    const face = randomFace();
    const s = await enrolledBeforeRotation("kek-cron", face);
    await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env, createExecutionContext());
    expect(await kekVersionOf(s.id)).toBe(2);
    expect(await registeredUnder(1, [s.id])).toEqual([]);
    const { results } = await env.DB.prepare("SELECT actor, outcome FROM audit_log WHERE subject_id = ? AND action = 'rewrap'")
      .bind(s.id)
      .all();
    expect(results).toEqual([{ actor: "system:rewrap", outcome: "rewrapped:kek-2" }]);
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
