import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { b64uDecode, b64uEncode } from "../../src/protocol/base64url.js";
import { MAX_TEMPLATES_PER_SUBJECT, type ChallengeResponseT } from "../../src/protocol/schemas.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { HPKE_KEYS } from "../fixtures/keys.js";
import { callSettled, expectProblem, MODEL_ID, sealFor, Subject, uniqueSubject } from "./helpers/api.js";
import { DIM, randomFace, sameFace } from "./helpers/embeddings.js";
import { stepUpClaims, tokenFor } from "./helpers/tokens.js";
import { flushAudit, vaultSql } from "./helpers/vault.js";
import { containsBytes } from "./helpers/bytes.js";

/** A consenting subject whose token carries a fresh step-up (so additional templates are allowed). */
async function consented(prefix = "enr", claims: Record<string, unknown> = stepUpClaims()): Promise<Subject> {
  const s = await Subject.create(prefix, claims);
  expect((await s.consent()).status).toBe(200);
  return s;
}

const flipBit = (b64: string, byte: number) => {
  const bytes = b64uDecode(b64);
  bytes[byte]! ^= 0x01;
  return b64uEncode(bytes);
};

describe("POST /v1/subjects/{id}/templates: success", () => {
  it("stores a sealed template and counts it", async () => {
    const s = await consented();
    const face = randomFace();
    const res = await s.enroll(face);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { templateId: string; templateCount: number; anchor: boolean };
    expect(body.templateCount).toBe(1);
    expect(body.anchor).toBe(true);
    expect(body.templateId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const rows = await vaultSql<{ template_id: string; model_id: string; sealed: ArrayBuffer }>(s.id, "SELECT template_id, model_id, sealed FROM templates");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.template_id).toBe(body.templateId);
    expect(rows[0]!.model_id).toBe(MODEL_ID);
    // nonce (24) + float32 x dim + tag (16); and the plaintext bytes appear nowhere in it.
    expect(rows[0]!.sealed.byteLength).toBe(24 + DIM * 4 + 16);
    const plain = new Uint8Array(face.buffer.slice(0, 16));
    expect(containsBytes(new Uint8Array(rows[0]!.sealed), plain)).toBe(false);
  });

  it("accepts further templates of the same face, with a step-up, as non-anchors", async () => {
    const s = await consented();
    const face = randomFace();
    expect((await s.enroll(face)).status).toBe(201);
    const res = await s.enroll(sameFace(face));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ templateCount: 2, anchor: false });
  });
});

describe("POST /v1/subjects/{id}/templates: a second template needs a recent strong authentication", () => {
  it("the first template needs none; a second without step-up is 401 step-up-required (RFC 9470), and audited", async () => {
    const s = await consented("stepup", {});
    const face = randomFace();
    expect((await s.enroll(face)).status).toBe(201);
    const res = await s.enroll(sameFace(face));
    await expectProblem(res, "step-up-required");
    expect(res.headers.get("WWW-Authenticate")).toBe(
      'Bearer realm="facegate", error="insufficient_user_authentication", acr_values="urn:facegate:acr:step-up", max_age=300',
    );
    expect(await vaultSql(s.id, "SELECT template_id FROM templates")).toHaveLength(1);
    // Not a failed attempt (no face was compared), but recorded.
    expect(await vaultSql(s.id, "SELECT * FROM failures")).toEqual([]);
    await flushAudit(s.id);
    const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = 'enroll'").bind(s.id).all();
    expect(results.map((r) => r["outcome"])).toEqual(["enrolled", "refused:step-up-required"]);
  });

  for (const [name, claims] of [
    ["an auth_time older than the policy's 300 s", stepUpClaims(301 + 30)],
    ["an acr the policy does not list", { ...stepUpClaims(), acr: "urn:example:password" }],
    ["an auth_time without acr", { auth_time: Math.floor(Date.now() / 1000) }],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const s = await consented("stepup-bad", {});
      const face = randomFace();
      expect((await s.enroll(face)).status).toBe(201);
      const t = await s.another(claims);
      await expectProblem(await t.enroll(sameFace(face)), "step-up-required");
    });
  }

  it("a tenant's own policy (TENANT_POLICIES) decides which acr and how recent", async () => {
    const policies = JSON.stringify({ acme: { addTemplate: { maxAuthAgeSeconds: 60, acr: ["mfa"] } } });
    const id = uniqueSubject("tp");
    const claims = { tenant: "acme", acr: "mfa", auth_time: Math.floor(Date.now() / 1000) };
    const token = await tokenFor(id, "face:enroll", claims);
    const face = randomFace();
    const send = async (embedding: Float32Array, t = token) => {
      const chRes = await callSettled("POST", "/v1/challenges", { token: t, body: { subjectId: id, purpose: "enroll" }, env: { TENANT_POLICIES: policies } });
      const ch = (await chRes.json()) as ChallengeResponseT;
      const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope: await sealFor(ch, "enroll", id, embedding) };
      return callSettled("POST", `/v1/subjects/${id}/templates`, { token: t, body, env: { TENANT_POLICIES: policies } });
    };
    expect((await callSettled("PUT", `/v1/subjects/${id}/consent`, { token, body: { policyVersion: "1", purposes: ["verification"] } })).status).toBe(200);
    expect((await send(face)).status).toBe(201);
    expect((await send(sameFace(face))).status).toBe(201);
    // The default acr is not this tenant's.
    const defaultAcr = await tokenFor(id, "face:enroll", { ...claims, acr: "urn:facegate:acr:step-up" });
    await expectProblem(await send(sameFace(face), defaultAcr), "step-up-required");
  });
});

describe("POST /v1/subjects/{id}/templates: refusals", () => {
  it("without consent is 403 consent-required (and consumes the challenge)", async () => {
    const s = await Subject.create("noconsent");
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", body), "consent-required");
    await expectProblem(await s.send("enroll", body), "challenge-used");
    expect(await vaultSql(s.id, "SELECT * FROM templates")).toEqual([]);
  });

  it("needs face:enroll", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", body, await tokenFor(s.id, "face:verify")), "insufficient-scope");
  });

  it("refuses another subject's token", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", body, await tokenFor("mallory", "face:enroll")), "subject-mismatch");
  });

  it("refuses a model id the manifest does not list, before consuming the challenge", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", { ...body, modelId: "fr128-v0" }), "model-unknown");
    expect((await s.send("enroll", body)).status).toBe(201);
  });

  it("refuses a replayed challenge", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    expect((await s.send("enroll", body)).status).toBe(201);
    await expectProblem(await s.send("enroll", body), "challenge-used");
  });

  it("refuses an unknown challenge", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", { ...body, challengeId: "A".repeat(22) }), "challenge-unknown");
  });

  it("refuses a verify challenge (wrong purpose), consuming it", async () => {
    const s = await consented();
    const ch = await s.challenge("verify");
    const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope: await sealFor(ch, "enroll", s.id, randomFace()) };
    await expectProblem(await s.send("enroll", body), "challenge-purpose");
    await expectProblem(await s.send("enroll", body), "challenge-used");
  });

  it("refuses another subject's challenge", async () => {
    const s = await consented();
    const other = await consented("other");
    const ch = await other.challenge("enroll");
    const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope: await sealFor(ch, "enroll", s.id, randomFace()) };
    await expectProblem(await s.send("enroll", body), "challenge-unknown");
  });

  it("refuses an expired challenge", async () => {
    const s = await consented();
    const { ch, body } = await s.body("enroll", randomFace());
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ? WHERE challenge_id = ?", Date.now() - 1, ch.challengeId);
    await expectProblem(await s.send("enroll", body), "challenge-expired");
    await expectProblem(await s.send("enroll", body), "challenge-used");
  });

  it("refuses an envelope naming a key the server does not hold, without consuming the challenge", async () => {
    const s = await consented();
    const { body } = await s.body("enroll", randomFace());
    await expectProblem(await s.send("enroll", { ...body, envelope: { ...body.envelope, kid: "no-such-key" } }), "envelope-key-unknown");
    expect((await s.send("enroll", body)).status).toBe(201);
  });

  it("refuses an envelope whose kid is not the challenge's (even a key we hold)", async () => {
    const s = await consented();
    const ch = await s.challenge("enroll");
    const previous = HPKE_KEYS[1];
    const envelope = await sealFor(ch, "enroll", s.id, randomFace(), {
      kid: previous.kid,
      publicKey: x25519.getPublicKey(b64uDecode(previous.privateKey)),
    });
    await expectProblem(await s.send("enroll", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope }), "envelope-invalid");
  });

  const tamperings: [string, (e: { kid: string; enc: string; ciphertext: string }) => object][] = [
    ["a flipped bit in enc", (e) => ({ ...e, enc: flipBit(e.enc, 7) })],
    ["a flipped bit in the ciphertext body", (e) => ({ ...e, ciphertext: flipBit(e.ciphertext, 100) })],
    ["a flipped bit in the tag", (e) => ({ ...e, ciphertext: flipBit(e.ciphertext, b64uDecode(e.ciphertext).length - 1) })],
    ["a truncated ciphertext", (e) => ({ ...e, ciphertext: b64uEncode(b64uDecode(e.ciphertext).subarray(0, 1000)) })],
  ];
  for (const [name, tamper] of tamperings) {
    it(`refuses a tampered envelope: ${name}`, async () => {
      const s = await consented();
      const { body } = await s.body("enroll", randomFace());
      const res = await s.send("enroll", { ...body, envelope: tamper(body.envelope) });
      const problem = await expectProblem(res, "envelope-invalid");
      expect(problem.detail).toBeUndefined();
    });
  }

  const rebindings: [string, Record<string, string>][] = [
    ["another subject", { subjectId: "someone-else" }],
    ["another purpose", { purpose: "verify" }],
    ["another model", { modelId: "fr512-v2" }],
    ["another nonce", { nonce: "A".repeat(43) }],
    ["another challenge", { challengeId: "B".repeat(22) }],
  ];
  for (const [name, binding] of rebindings) {
    it(`refuses an envelope bound to ${name}`, async () => {
      const s = await consented();
      const ch = await s.challenge("enroll");
      const envelope = await sealFor(ch, "enroll", s.id, randomFace(), binding);
      await expectProblem(await s.send("enroll", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope }), "envelope-invalid");
      expect(await vaultSql(s.id, "SELECT * FROM templates")).toEqual([]);
    });
  }

  it("refuses a plaintext that is not a unit-norm embedding of the model's dimension", async () => {
    const s = await consented();
    const notUnit = Float32Array.from({ length: DIM }, () => 0.5);
    const shortVec = randomFace().subarray(0, 128);
    const withNaN = randomFace();
    withNaN[3] = Number.NaN;
    for (const bad of [notUnit, shortVec, withNaN]) {
      const { body } = await s.body("enroll", bad);
      await expectProblem(await s.send("enroll", body), "envelope-invalid");
    }
  });

  it(`refuses more than ${MAX_TEMPLATES_PER_SUBJECT} templates with 409 template-limit`, async () => {
    const s = await consented();
    const face = randomFace();
    for (let i = 0; i < MAX_TEMPLATES_PER_SUBJECT; i++) expect((await s.enroll(sameFace(face))).status).toBe(201);
    await expectProblem(await s.enroll(sameFace(face)), "template-limit");
    expect(await vaultSql(s.id, "SELECT template_id FROM templates")).toHaveLength(MAX_TEMPLATES_PER_SUBJECT);
  });

  it("refuses a template of another face with 422 enrollment-mismatch, counting a failed attempt", async () => {
    const s = await consented();
    expect((await s.enroll(randomFace())).status).toBe(201);
    const res = await s.enroll(randomFace());
    const problem = await expectProblem(res, "enrollment-mismatch");
    expect(problem["attemptsRemaining"]).toBe(Number(env.LOCKOUT_MAX_FAILURES) - 1);
    expect(problem).not.toHaveProperty("score");
    expect(await vaultSql(s.id, "SELECT template_id FROM templates")).toHaveLength(1);
  });
});
