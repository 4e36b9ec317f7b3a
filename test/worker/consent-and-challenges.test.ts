import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { b64uDecode } from "../../src/protocol/base64url.js";
import type { ChallengeResponseT, ConsentRecordT } from "../../src/protocol/schemas.js";
import { HPKE_KEYS } from "../fixtures/keys.js";
import { call, callSettled, expectProblem, Subject } from "./helpers/api.js";
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

  it("an admin token may not ask for another subject's challenge (face:admin is not impersonation)", async () => {
    const admin = await tokenFor("ops", "face:verify face:admin");
    const res = await call("POST", "/v1/challenges", { token: admin, body: { subjectId: "carol", purpose: "verify" } });
    await expectProblem(res, "subject-mismatch");
  });

  it("a verify challenge needs a token that names its relying party (azp or client_id)", async () => {
    const s = await Subject.create("noazp");
    const token = await tokenFor(s.id, "face:verify", { azp: undefined });
    const res = await call("POST", "/v1/challenges", { token, body: { subjectId: s.id, purpose: "verify" } });
    await expectProblem(res, "client-required");
    const viaClientId = await tokenFor(s.id, "face:verify", { azp: undefined, client_id: "rp-mobile" });
    expect((await call("POST", "/v1/challenges", { token: viaClientId, body: { subjectId: s.id, purpose: "verify" } })).status).toBe(201);
  });

  it("refuses an unknown purpose and unknown fields", async () => {
    const s = await Subject.create("ch");
    await expectProblem(await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: s.id, purpose: "login" } }), "invalid-request");
    await expectProblem(await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: s.id, purpose: "verify", ttl: 9999 } }), "invalid-request");
  });

  it("keeps at most 64 open challenges per subject, dropping the oldest", async () => {
    const s = await Subject.create("ch");
    const issued: ChallengeResponseT[] = [];
    // A token per request: the per-token rate limit is not what this pins.
    for (let i = 0; i < 68; i++) issued.push(await (await s.another()).challenge("verify"));
    const rows = await vaultSql<{ challenge_id: string }>(s.id, "SELECT challenge_id FROM challenges");
    expect(rows.map((r) => r.challenge_id).sort()).toEqual(
      issued
        .slice(4)
        .map((c) => c.challengeId)
        .sort(),
    );
    // Each one dropped unused leaves its audit row, the only one it gets (challenge-audit.test.ts).
    const dropped = await vaultSql<{ outcome: string }>(s.id, "SELECT outcome FROM audit_outbox WHERE action = 'challenge'");
    expect(dropped.map((r) => r.outcome)).toEqual(Array(4).fill("unused:verify:evicted"));
  });
});

describe("caller rate limits (429 rate-limited with Retry-After, not audited)", () => {
  const ask = (token: string, subjectId: string, env: Partial<Cloudflare.Env>, headers: Record<string, string> = {}) =>
    callSettled("POST", "/v1/challenges", { token, body: { subjectId, purpose: "enroll" }, env, headers });

  /** Requests until the first 429 (at most 2 windows' worth plus one: a window may end mid-test). */
  async function untilLimited(send: (i: number) => Promise<Response>, limit: number): Promise<{ before: number; refused: Response | null }> {
    for (let i = 0; i <= 2 * limit; i++) {
      const res = await send(i);
      if (res.status === 429) return { before: i, refused: res };
      expect(res.status, await res.clone().text()).toBe(201);
    }
    return { before: 2 * limit + 1, refused: null };
  }

  for (const [name, binding] of [
    ["per token", "RL_TOKEN"],
    ["per tenant", "RL_TENANT"],
  ] as const) {
    it(`limits challenges ${name}`, async () => {
      const s = await Subject.create(`rl-${binding}`);
      const small = { [binding]: env.RL_SMALL };
      const { before, refused } = await untilLimited(async () => ask(binding === "RL_TOKEN" ? s.token : (await s.another()).token, s.id, small), 3);
      expect(before).toBeGreaterThanOrEqual(3);
      const body = await expectProblem(refused!, "rate-limited");
      expect(refused!.headers.get("Retry-After")).toBe("60");
      expect(body["retryAfter"]).toBe(60);
      // Refused before the vault: nothing stored, nothing audited for the refused request.
      const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE request_id = ?").bind(refused!.headers.get("X-Request-Id")).all();
      expect(results).toEqual([]);
    });
  }

  it("limits requests per client address (CF-Connecting-IP), authenticated or not", async () => {
    const s = await Subject.create("rl-addr");
    const address = { "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250)}` };
    const small = { RL_ADDRESS: env.RL_SMALL };
    const { before, refused } = await untilLimited(async () => ask((await s.another()).token, s.id, small, address), 3);
    expect(before).toBeGreaterThanOrEqual(3);
    await expectProblem(refused!, "rate-limited");
    // The same address is refused before its token is even looked at.
    await expectProblem(await callSettled("GET", `/v1/subjects/${s.id}`, { env: small, headers: address }), "rate-limited");
  });

  it("the production limits are the ones wrangler.toml declares", async () => {
    // 60 challenges per token per minute: the 61st is refused (or later, if a window ends mid-test).
    const s = await Subject.create("rl-prod");
    const { before, refused } = await untilLimited(() => ask(s.token, s.id, {}), 60);
    expect(before).toBeGreaterThanOrEqual(60);
    await expectProblem(refused!, "rate-limited");
  });
});
