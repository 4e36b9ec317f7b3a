import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import manifest from "../../models/manifest.json";
import type { VerifyResponseT } from "../../src/protocol/schemas.js";
import { call, expectProblem, MODEL_ID, sealFor, Subject, uniqueSubject } from "./helpers/api.js";
import { similarity } from "../../src/protocol/similarity.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { mintToken, TEST_CLIENT_ID, tokenFor } from "./helpers/tokens.js";
import { restoreVaultEnv, setVaultEnv, vaultSql } from "./helpers/vault.js";

const MAX_FAILURES = Number(env.LOCKOUT_MAX_FAILURES);
const THRESHOLD = manifest.models["fr512-v1"].embedding.threshold;

async function assertionKeys() {
  const jwks = await (await call("GET", "/.well-known/jwks.json")).json();
  return createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
}

async function verifyJson(res: Response): Promise<VerifyResponseT> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as VerifyResponseT;
}

describe("synthetic faces", () => {
  it("a same-person probe is above the manifest threshold and an impostor below it", () => {
    const face = randomFace();
    expect(similarity(face, sameFace(face))).toBeGreaterThan(THRESHOLD);
    expect(similarity(face, randomFace())).toBeLessThan(THRESHOLD);
  });
});

describe("POST /v1/subjects/{id}/verify: match", () => {
  it("answers match with an EdDSA assertion carrying the agreed claims, and no score", async () => {
    const s = await Subject.create("ver");
    const face = randomFace();
    await s.enrolled(face);
    const before = Math.floor(Date.now() / 1000);
    const res = await s.verify(sameFace(face), { loginNonce: "rp-nonce-12345" });
    const body = await verifyJson(res);
    expect(Object.keys(body).sort()).toEqual(["assertion", "attemptsRemaining", "match"]);
    expect(body.match).toBe(true);
    expect(body.attemptsRemaining).toBe(MAX_FAILURES);
    expect(decodeProtectedHeader(body.assertion!)).toMatchObject({ alg: "EdDSA", kid: "assert-test-current", typ: "JWT" });
    const { payload } = await jwtVerify(body.assertion!, await assertionKeys(), {
      issuer: env.ASSERTION_ISSUER,
      audience: TEST_CLIENT_ID,
      algorithms: ["EdDSA"],
    });
    expect(payload).toMatchObject({ sub: s.id, tenant: "default", amr: ["face"], nonce: "rp-nonce-12345", model: MODEL_ID });
    expect(payload.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(payload.exp! - payload.iat!).toBe(Number(env.ASSERTION_TTL_SECONDS));
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("addresses the assertion to the caller's azp, else client_id", async () => {
    const face = randomFace();
    const s = await Subject.create("aud");
    await s.enrolled(face);
    const cases: [Record<string, unknown>, string][] = [
      [{ azp: "rp-web" }, "rp-web"],
      [{ azp: undefined, client_id: "rp-mobile" }, "rp-mobile"],
    ];
    for (const [claims, aud] of cases) {
      const token = await tokenFor(s.id, "face:verify", claims);
      const { body } = await s.body("verify", sameFace(face));
      const res = await s.send("verify", body, token);
      const { assertion } = await verifyJson(res);
      const { payload } = await jwtVerify(assertion!, await assertionKeys(), { audience: aud });
      expect(payload.aud).toBe(aud);
      expect(payload).not.toHaveProperty("nonce");
    }
  });

  it("carries the tenant of the caller", async () => {
    const id = uniqueSubject("ten");
    const s = new Subject(id, await mintToken({ sub: id, claims: { tenant: "acme" } }));
    const face = randomFace();
    await s.enrolled(face);
    const { assertion } = await verifyJson(await s.verify(sameFace(face)));
    const { payload } = await jwtVerify(assertion!, await assertionKeys());
    expect(payload["tenant"]).toBe("acme");
  });

  it("issues no assertion for a token that names no relying party: 403 client-required, the challenge unspent", async () => {
    const face = randomFace();
    const s = await Subject.create("noaud");
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    const anonymous = await tokenFor(s.id, "face:verify", { azp: undefined });
    await expectProblem(await s.send("verify", body, anonymous), "client-required");
    // Refused before the vault: the same challenge still works with a token that names its RP.
    expect((await verifyJson(await s.send("verify", body))).match).toBe(true);
  });
});

describe("POST /v1/subjects/{id}/verify: no match and lockout", () => {
  it("answers no match with attempts remaining, and no assertion or score", async () => {
    const s = await Subject.create("nomatch");
    await s.enrolled(randomFace());
    const body = await verifyJson(await s.verify(randomFace()));
    expect(body).toEqual({ match: false, attemptsRemaining: MAX_FAILURES - 1 });
  });

  it(`locks after ${MAX_FAILURES} failures for LOCKOUT_DURATION_SECONDS (at least 30 s): 429 subject-locked with Retry-After, even for the right face`, async () => {
    const s = await Subject.create("lock");
    const face = randomFace();
    await s.enrolled(face);
    for (let i = 1; i <= MAX_FAILURES; i++) {
      expect(await verifyJson(await s.verify(randomFace()))).toEqual({ match: false, attemptsRemaining: MAX_FAILURES - i });
    }
    const res = await s.verify(sameFace(face));
    const problem = await expectProblem(res, "subject-locked");
    const retryAfter = Number(res.headers.get("Retry-After"));
    expect(Number(env.LOCKOUT_DURATION_SECONDS)).toBeGreaterThanOrEqual(30);
    expect(retryAfter).toBeGreaterThan(Number(env.LOCKOUT_DURATION_SECONDS) - 5);
    expect(retryAfter).toBeLessThanOrEqual(Number(env.LOCKOUT_DURATION_SECONDS));
    expect(problem["retryAfter"]).toBe(retryAfter);
    expect(problem["attemptsRemaining"]).toBe(0);
    const state = (await (await s.get()).json()) as { lockedUntil?: string };
    expect(Date.parse(state.lockedUntil!)).toBeGreaterThan(Date.now());
  });

  it("a locked subject may verify again once the lock has passed, with a fresh count", async () => {
    const s = await Subject.create("unlock");
    const face = randomFace();
    await s.enrolled(face);
    for (let i = 0; i < MAX_FAILURES; i++) await verifyJson(await s.verify(randomFace()));
    await expectProblem(await s.verify(sameFace(face)), "subject-locked");
    await vaultSql(s.id, "UPDATE lock_state SET locked_until = ?", Date.now() - 1);
    expect(await verifyJson(await s.verify(randomFace()))).toEqual({ match: false, attemptsRemaining: MAX_FAILURES - 1 });
    expect((await verifyJson(await s.verify(sameFace(face)))).match).toBe(true);
  });

  it("a success resets the streak (the daily count stays, see lockout.test.ts)", async () => {
    const s = await Subject.create("reset");
    const face = randomFace();
    await s.enrolled(face);
    for (let i = 0; i < MAX_FAILURES - 1; i++) await verifyJson(await s.verify(randomFace()));
    expect((await verifyJson(await s.verify(sameFace(face)))).attemptsRemaining).toBe(MAX_FAILURES);
    expect((await verifyJson(await s.verify(randomFace()))).attemptsRemaining).toBe(MAX_FAILURES - 1);
  });

  it("failures older than the window no longer count", async () => {
    const s = await Subject.create("window");
    await s.enrolled(randomFace());
    for (let i = 0; i < MAX_FAILURES - 1; i++) await verifyJson(await s.verify(randomFace()));
    const windowMs = Number(env.LOCKOUT_WINDOW_SECONDS) * 1000;
    await vaultSql(s.id, "UPDATE failures SET at = at - ?", windowMs + 1000);
    expect((await verifyJson(await s.verify(randomFace()))).attemptsRemaining).toBe(MAX_FAILURES - 1);
  });

  it("enrollment is refused while locked", async () => {
    const s = await Subject.create("locken");
    const face = randomFace();
    await s.enrolled(face);
    for (let i = 0; i < MAX_FAILURES; i++) await verifyJson(await s.verify(randomFace()));
    await expectProblem(await s.enroll(sameFace(face)), "subject-locked");
  });
});

describe("POST /v1/subjects/{id}/verify: refusals", () => {
  it("a subject without templates is 404 not-enrolled", async () => {
    const s = await Subject.create("notenr");
    await expectProblem(await s.verify(randomFace()), "not-enrolled");
    expect((await s.consent()).status).toBe(200);
    await expectProblem(await s.verify(randomFace()), "not-enrolled");
  });

  it("needs face:verify", async () => {
    const s = await Subject.create("vscope");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    await expectProblem(await s.send("verify", body, await tokenFor(s.id, "face:enroll face:read")), "insufficient-scope");
  });

  it("refuses another subject's token even with a valid challenge", async () => {
    const s = await Subject.create("vmis");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    await expectProblem(await s.send("verify", body, await tokenFor("mallory", "face:verify")), "subject-mismatch");
  });

  it("refuses a replayed verify (the challenge is single use even after a match)", async () => {
    const s = await Subject.create("vreplay");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    expect((await verifyJson(await s.send("verify", body))).match).toBe(true);
    await expectProblem(await s.send("verify", body), "challenge-used");
  });

  it("refuses an enroll challenge used to verify", async () => {
    const s = await Subject.create("vpurpose");
    const face = randomFace();
    await s.enrolled(face);
    const ch = await s.challenge("enroll");
    const envelope = await sealFor(ch, "verify", s.id, sameFace(face));
    await expectProblem(await s.send("verify", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope }), "challenge-purpose");
  });

  it("refuses an envelope sealed for enrollment (purpose is in the AAD)", async () => {
    const s = await Subject.create("vaad");
    const face = randomFace();
    await s.enrolled(face);
    const ch = await s.challenge("verify");
    const envelope = await sealFor(ch, "enroll", s.id, sameFace(face));
    await expectProblem(await s.send("verify", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope }), "envelope-invalid");
  });

  it("an envelope that does not open does not count as a failed attempt", async () => {
    const s = await Subject.create("vbad");
    const face = randomFace();
    await s.enrolled(face);
    const ch = await s.challenge("verify");
    const envelope = await sealFor(ch, "verify", s.id, randomFace(), { nonce: "Z".repeat(43) });
    await expectProblem(await s.send("verify", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope }), "envelope-invalid");
    expect(await vaultSql(s.id, "SELECT * FROM failures")).toEqual([]);
  });

  it("a verify that fails inside the vault (a fault, not a refusal) still spends its challenge", async () => {
    const s = await Subject.create("vfault");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    // The vault's HPKE keys become unreadable: the open throws after section 1 ran.
    await setVaultEnv(s.id, { HPKE_KEYS: "not json" });
    await expectProblem(await s.send("verify", body), "internal");
    await restoreVaultEnv(s.id);
    await expectProblem(await s.send("verify", body), "challenge-used");
    expect(await vaultSql(s.id, "SELECT outcome FROM challenges WHERE purpose = 'verify' AND used_at IS NOT NULL")).toEqual([{ outcome: "refused:internal" }]);
  });

  it("refuses an expired challenge", async () => {
    const s = await Subject.create("vexp");
    const face = randomFace();
    await s.enrolled(face);
    const { ch, body } = await s.body("verify", sameFace(face));
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ? WHERE challenge_id = ?", Date.now() - 1, ch.challengeId);
    await expectProblem(await s.send("verify", body), "challenge-expired");
  });

  it("refuses a loginNonce outside the allowed alphabet", async () => {
    const s = await Subject.create("vnonce");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face), { loginNonce: "<script>" });
    await expectProblem(await s.send("verify", body), "invalid-request");
  });
});
