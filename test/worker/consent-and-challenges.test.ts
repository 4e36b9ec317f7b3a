import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { b64uDecode } from "../../src/protocol/base64url.js";
import type { ChallengeResponseT, ConsentRecordT } from "../../src/protocol/schemas.js";
import { HPKE_KEYS } from "../fixtures/keys.js";
import { call, expectProblem, Subject } from "./helpers/api.js";
import { tokenFor } from "./helpers/tokens.js";
import { vaultSql } from "./helpers/vault.js";

const DAY_MS = 86_400_000;

describe("PUT /v1/subjects/{id}/consent", () => {
  it("records consent and returns the record with retainUntil = grant + RETENTION_DAYS", async () => {
    const s = await Subject.create("consent");
    const before = Date.now();
    const res = await s.consent("2026-11");
    expect(res.status).toBe(200);
    const record = (await res.json()) as ConsentRecordT;
    expect(record).toEqual({
      subjectId: s.id,
      policyVersion: "2026-11",
      purposes: ["verification"],
      grantedAt: expect.any(String),
      retainUntil: expect.any(String),
    });
    const granted = Date.parse(record.grantedAt);
    expect(granted).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(record.retainUntil) - granted).toBe(Number(env.RETENTION_DAYS) * DAY_MS);
  });

  it("a new grant replaces the earlier one", async () => {
    const s = await Subject.create("consent");
    await s.consent("v1");
    const res = await s.consent("v2");
    expect(((await res.json()) as ConsentRecordT).policyVersion).toBe("v2");
    const read = (await (await s.get()).json()) as { consent: ConsentRecordT };
    expect(read.consent.policyVersion).toBe("v2");
  });

  it("needs face:enroll", async () => {
    const s = await Subject.create("consent");
    const token = await tokenFor(s.id, "face:verify face:read");
    const res = await call("PUT", `/v1/subjects/${s.id}/consent`, { token, body: { policyVersion: "v1", purposes: ["verification"] } });
    await expectProblem(res, "insufficient-scope");
  });

  it("refuses another subject's token and changes nothing", async () => {
    const s = await Subject.create("consent");
    const mallory = await tokenFor("mallory", "face:enroll");
    const res = await call("PUT", `/v1/subjects/${s.id}/consent`, {
      token: mallory,
      body: { policyVersion: "v1", purposes: ["verification"] },
    });
    await expectProblem(res, "subject-mismatch");
    await expectProblem(await s.get(), "subject-not-found");
  });

  it("refuses purposes other than verification", async () => {
    const s = await Subject.create("consent");
    const res = await call("PUT", `/v1/subjects/${s.id}/consent`, {
      token: s.token,
      body: { policyVersion: "v1", purposes: ["verification", "marketing"] },
    });
    await expectProblem(res, "invalid-request");
  });
});

describe("POST /v1/challenges", () => {
  it("issues a single-use challenge bound server-side to tenant, subject, purpose, nonce, kid and expiry", async () => {
    const s = await Subject.create("ch");
    const before = Date.now();
    const ch = await s.challenge("enroll");
    expect(b64uDecode(ch.challengeId)).toHaveLength(16);
    expect(b64uDecode(ch.nonce)).toHaveLength(32);
    expect(ch.envelopeKey.kid).toBe(HPKE_KEYS[0].kid);
    const ttlMs = Number(env.CHALLENGE_TTL_SECONDS) * 1000;
    expect(Date.parse(ch.expiresAt) - before).toBeGreaterThanOrEqual(ttlMs - 1000);
    expect(Date.parse(ch.expiresAt) - before).toBeLessThanOrEqual(ttlMs + 1000);
    const rows = await vaultSql<Record<string, SqlStorageValue>>(
      s.id,
      "SELECT tenant, subject_id, purpose, nonce, kid, expires_at, used_at FROM challenges WHERE challenge_id = ?",
      ch.challengeId,
    );
    expect(rows).toEqual([
      { tenant: "default", subject_id: s.id, purpose: "enroll", nonce: ch.nonce, kid: ch.envelopeKey.kid, expires_at: Date.parse(ch.expiresAt), used_at: null },
    ]);
  });

  it("issues a fresh challenge each time", async () => {
    const s = await Subject.create("ch");
    const a = await s.challenge("verify");
    const b = await s.challenge("verify");
    expect(a.challengeId).not.toBe(b.challengeId);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it("needs face:enroll for an enroll challenge and face:verify for a verify challenge", async () => {
    const s = await Subject.create("ch");
    const verifyOnly = await tokenFor(s.id, "face:verify");
    const enrollOnly = await tokenFor(s.id, "face:enroll");
    const ask = (token: string, purpose: string) => call("POST", "/v1/challenges", { token, body: { subjectId: s.id, purpose } });
    const r1 = await ask(verifyOnly, "enroll");
    await expectProblem(r1, "insufficient-scope");
    expect(r1.headers.get("WWW-Authenticate")).toContain('scope="face:enroll"');
    const r2 = await ask(enrollOnly, "verify");
    await expectProblem(r2, "insufficient-scope");
    expect(r2.headers.get("WWW-Authenticate")).toContain('scope="face:verify"');
    expect((await ask(verifyOnly, "verify")).status).toBe(201);
    expect((await ask(enrollOnly, "enroll")).status).toBe(201);
  });

  it("refuses a challenge for a subject the token may not act on", async () => {
    const s = await Subject.create("ch");
    const res = await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: "someone-else", purpose: "verify" } });
    await expectProblem(res, "subject-mismatch");
  });

  it("an admin token may ask for another subject's challenge", async () => {
    const admin = await tokenFor("ops", "face:verify face:admin");
    const res = await call("POST", "/v1/challenges", { token: admin, body: { subjectId: "carol", purpose: "verify" } });
    expect(res.status).toBe(201);
    const ch = (await res.json()) as ChallengeResponseT;
    expect(ch.envelopeKey.publicKey).toHaveLength(43);
  });

  it("refuses an unknown purpose and unknown fields", async () => {
    const s = await Subject.create("ch");
    await expectProblem(await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: s.id, purpose: "login" } }), "invalid-request");
    await expectProblem(
      await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: s.id, purpose: "verify", ttl: 9999 } }),
      "invalid-request",
    );
  });

  it("keeps at most 64 open challenges per subject, dropping the oldest", async () => {
    const s = await Subject.create("ch");
    const issued: ChallengeResponseT[] = [];
    for (let i = 0; i < 68; i++) issued.push(await s.challenge("verify"));
    const rows = await vaultSql<{ challenge_id: string }>(s.id, "SELECT challenge_id FROM challenges");
    expect(rows.map((r) => r.challenge_id).sort()).toEqual(issued.slice(4).map((c) => c.challengeId).sort());
  });
});
