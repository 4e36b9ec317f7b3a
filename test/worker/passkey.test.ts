import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { ChallengeResponseT, VerifyResponseT } from "../../src/protocol/schemas.js";
import { callSettled, expectProblem, MODEL_ID, sealFor, Subject } from "./helpers/api.js";
import { SoftAuthenticator, type CeremonyOverrides } from "./helpers/authenticator.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit, vaultSql } from "./helpers/vault.js";

/**
 * Device-bound face login (src/crypto/webauthn.ts, src/vault/credentials.ts):
 * under a tenant's `device` policy, enrolling binds a passkey to the subject,
 * and a verify needs an assertion by that passkey for the same single-use
 * challenge, checked before the face. Each refusal is a catalogued 4xx that
 * leaves templates, passkeys and counters as they were.
 */
const RP_ID = "rp.example";
const ORIGIN = "https://rp.example";
const MAX = Number(env.LOCKOUT_MAX_FAILURES);
const required = { TENANT_POLICIES: JSON.stringify({ "*": { device: { mode: "required", rpId: RP_ID, origins: [ORIGIN] } } }) };
const optional = { TENANT_POLICIES: JSON.stringify({ "*": { device: { mode: "optional", rpId: RP_ID, origins: [ORIGIN] } } }) };
type Bindings = Partial<Cloudflare.Env>;

async function challenge(s: Subject, purpose: "enroll" | "verify", bindings: Bindings): Promise<ChallengeResponseT> {
  const res = await callSettled("POST", "/v1/challenges", { token: (await s.another()).token, env: bindings, body: { subjectId: s.id, purpose } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ChallengeResponseT;
}

async function send(s: Subject, purpose: "enroll" | "verify", ch: ChallengeResponseT, face: Float32Array, webauthn: unknown, bindings: Bindings) {
  const envelope = await sealFor(ch, purpose, s.id, face);
  const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope, ...(webauthn ? { webauthn } : {}) };
  return callSettled("POST", `/v1/subjects/${s.id}/${purpose === "enroll" ? "templates" : "verify"}`, {
    token: (await s.another()).token,
    env: bindings,
    body,
  });
}

/** A subject enrolled with its face and a passkey under `bindings`. */
async function enrolledWithPasskey(prefix: string, bindings: Bindings = required) {
  const s = await Subject.create(prefix);
  expect((await s.consent()).status).toBe(200);
  const face = randomFace();
  const key = await SoftAuthenticator.create();
  const ch = await challenge(s, "enroll", bindings);
  const options = ch.webauthn!.registration as unknown as { challenge: string; rp: { id: string } };
  expect(options.challenge).toBe(ch.nonce);
  expect(options.rp.id).toBe(RP_ID);
  const res = await send(s, "enroll", ch, face, await key.register(options, ORIGIN), bindings);
  expect(res.status, await res.clone().text()).toBe(201);
  return { s, face, key };
}

async function verifyWith(s: Subject, face: Float32Array, key: SoftAuthenticator | null, o: CeremonyOverrides = {}, bindings: Bindings = required) {
  const ch = await challenge(s, "verify", bindings);
  const options = ch.webauthn?.authentication as unknown as { challenge: string; rpId: string } | undefined;
  const assertion = key ? await key.assert(options ?? { challenge: ch.nonce, rpId: RP_ID }, ORIGIN, o) : null;
  return send(s, "verify", ch, face, assertion, bindings);
}

/** What must not change on a refusal: templates, passkeys and their counters. */
async function state(id: string) {
  return JSON.stringify([await vaultSql(id, "SELECT template_id FROM templates"), await vaultSql(id, "SELECT credential_id, counter FROM credentials")]);
}

describe("passkeys: enrollment binds one, verify needs it beside the face", () => {
  it("enrolls face and passkey together; the verify challenge asks for that passkey; both sign in, and the assertion says hwk", async () => {
    const { s, face, key } = await enrolledWithPasskey("pk");
    expect(await vaultSql(s.id, "SELECT credential_id, counter FROM credentials")).toEqual([{ credential_id: key.id, counter: 0 }]);
    const ch = await challenge(s, "verify", required);
    const options = ch.webauthn!.authentication as unknown as { challenge: string; allowCredentials: { id: string }[] };
    expect(options.challenge).toBe(ch.nonce);
    expect(options.allowCredentials.map((c) => c.id)).toEqual([key.id]);
    const res = await send(s, "verify", ch, sameFace(face), await key.assert(options as never, ORIGIN), required);
    const body = (await res.json()) as VerifyResponseT;
    expect(body.match).toBe(true);
    expect(decodeJwt(body.assertion!).amr).toEqual(["face", "hwk"]);
    expect(await vaultSql(s.id, "SELECT counter FROM credentials")).toEqual([{ counter: 1 }]);
  });

  const matrix: [string, (key: SoftAuthenticator) => CeremonyOverrides | Promise<CeremonyOverrides>][] = [
    ["a wrong origin", () => ({ origin: "https://evil.example" })],
    ["a wrong RP ID", () => ({ rpId: "evil.example" })],
    ["another challenge", () => ({ challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })],
    ["no user presence", () => ({ userPresent: false })],
    ["a registration presented as an assertion", () => ({ type: "webauthn.create" })],
  ];
  for (const [name, overrides] of matrix) {
    it(`refuses ${name}: 403 device-invalid, counted, nothing else changed`, async () => {
      const { s, face, key } = await enrolledWithPasskey("pk-bad");
      const before = await state(s.id);
      const problem = await expectProblem(await verifyWith(s, sameFace(face), key, await overrides(key)), "device-invalid");
      expect(problem["attemptsRemaining"]).toBe(MAX - 1);
      expect(await state(s.id)).toBe(before);
    });
  }

  it("refuses a reused assertion (its challenge was another attempt's) and a replayed request (challenge-used)", async () => {
    const { s, face, key } = await enrolledWithPasskey("pk-reuse");
    const ch = await challenge(s, "verify", required);
    const assertion = await key.assert(ch.webauthn!.authentication as never, ORIGIN);
    const envelope = await sealFor(ch, "verify", s.id, sameFace(face));
    const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope, webauthn: assertion };
    expect(
      ((await (await callSettled("POST", `/v1/subjects/${s.id}/verify`, { token: (await s.another()).token, env: required, body })).json()) as VerifyResponseT)
        .match,
    ).toBe(true);
    await expectProblem(await callSettled("POST", `/v1/subjects/${s.id}/verify`, { token: (await s.another()).token, env: required, body }), "challenge-used");
    const again = await challenge(s, "verify", required);
    const before = await state(s.id);
    await expectProblem(await send(s, "verify", again, sameFace(face), assertion, required), "device-invalid");
    expect(await state(s.id)).toBe(before);
  });

  it("refuses a signature counter that does not move forward (a cloned authenticator), and audits it", async () => {
    const { s, face, key } = await enrolledWithPasskey("pk-counter");
    expect((await verifyWith(s, sameFace(face), key)).status).toBe(200);
    expect((await verifyWith(s, sameFace(face), key)).status).toBe(200);
    const before = await state(s.id);
    await expectProblem(await verifyWith(s, sameFace(face), key, { counter: 1 }), "device-invalid");
    expect(await state(s.id)).toBe(before);
    await flushAudit(s.id);
    const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = 'verify'").bind(s.id).all();
    expect(results.map((r) => r["outcome"])).toContain("refused:device-invalid:counter-regression");
  });

  it("refuses an unknown passkey and another subject's passkey", async () => {
    const { s, face } = await enrolledWithPasskey("pk-unknown");
    const { key: othersKey } = await enrolledWithPasskey("pk-other");
    const stranger = await SoftAuthenticator.create();
    for (const key of [stranger, othersKey]) {
      const before = await state(s.id);
      await expectProblem(await verifyWith(s, sameFace(face), key), "device-invalid");
      expect(await state(s.id)).toBe(before);
    }
  });

  it("under device: required, the right face without a passkey is 403 device-required", async () => {
    const { s, face } = await enrolledWithPasskey("pk-none");
    const before = await state(s.id);
    await expectProblem(await verifyWith(s, sameFace(face), null), "device-required");
    expect(await state(s.id)).toBe(before);
  });

  it("under device: required, enrolling needs a passkey that verifies", async () => {
    const s = await Subject.create("pk-enrol");
    expect((await s.consent()).status).toBe(200);
    const face = randomFace();
    await expectProblem(await send(s, "enroll", await challenge(s, "enroll", required), face, null, required), "device-required");
    const ch = await challenge(s, "enroll", required);
    const bad = await (await SoftAuthenticator.create()).register(ch.webauthn!.registration as never, "https://evil.example");
    await expectProblem(await send(s, "enroll", ch, face, bad, required), "device-invalid");
    expect(await vaultSql(s.id, "SELECT * FROM templates")).toEqual([]);
    expect(await vaultSql(s.id, "SELECT * FROM credentials")).toEqual([]);
  });

  it("under device: optional, the face alone still signs in (amr face), and with the passkey amr says hwk", async () => {
    const { s, face, key } = await enrolledWithPasskey("pk-opt", optional);
    const alone = (await (await verifyWith(s, sameFace(face), null, {}, optional)).json()) as VerifyResponseT;
    expect(decodeJwt(alone.assertion!).amr).toEqual(["face"]);
    const both = (await (await verifyWith(s, sameFace(face), key, {}, optional)).json()) as VerifyResponseT;
    expect(decodeJwt(both.assertion!).amr).toEqual(["face", "hwk"]);
  });

  it("the passkeys are shredded with the subject", async () => {
    const { s } = await enrolledWithPasskey("pk-shred");
    expect((await s.delete()).status).toBe(204);
    expect(await vaultSql(s.id, "SELECT * FROM credentials")).toEqual([]);
  });
});
