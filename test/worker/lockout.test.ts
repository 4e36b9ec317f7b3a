import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { VerifyResponseT } from "../../src/protocol/schemas.js";
import { call, expectProblem, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { tokenFor } from "./helpers/tokens.js";
import { setVaultClock, vaultSql } from "./helpers/vault.js";

/**
 * Escalating lockout and the daily cap (src/vault/lockout.ts), with the
 * vault's clock under the test's control. The defaults of wrangler.toml:
 * 5 failures lock for 30 s, each further lock within 24 h twice as long,
 * and 20 failures within 24 h lock until an operator unlocks the subject.
 */
const MAX = Number(env.LOCKOUT_MAX_FAILURES);
const DURATION = Number(env.LOCKOUT_DURATION_SECONDS);
const DAILY = Number(env.LOCKOUT_DAILY_FAILURES);
const HOUR = 3_600_000;

/** A subject whose vault runs on a clock the test moves. */
async function clocked(prefix: string) {
  const s = await Subject.create(prefix);
  const face = randomFace();
  await s.enrolled(face);
  let now = Date.now();
  await setVaultClock(s.id, () => now);
  return {
    s,
    face,
    advance: (ms: number) => (now += ms),
    now: () => now,
    /** One verify, with a token of its own (the per-token rate limit is not what this pins). */
    attempt: async (embedding: Float32Array) => (await s.another()).verify(embedding),
  };
}

async function answer(res: Response): Promise<{ status: number; body: VerifyResponseT & { retryAfter?: number; code?: string } }> {
  return { status: res.status, body: (await res.json()) as VerifyResponseT & { retryAfter?: number; code?: string } };
}

describe("lockout: escalation and the daily cap", () => {
  it("the defaults are the ones documented: 5 failures, 30 s, doubling, 20 a day", () => {
    expect([MAX, DURATION, Number(env.LOCKOUT_ESCALATION), DAILY]).toEqual([5, 30, 2, 20]);
  });

  it("locks for 30 s, then 60 s, then 120 s, then until unlocked at the 20th failure", async () => {
    const t = await clocked("esc");
    const locks: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < MAX; i++) {
        const { status, body } = await answer(await t.attempt(randomFace()));
        if (round < 3 || i < MAX - 1) expect(status).toBe(200);
        expect(body.match).toBe(false);
      }
      const locked = await t.attempt(sameFace(t.face));
      const problem = await expectProblem(locked, "subject-locked");
      locks.push(problem["retryAfter"] as number);
      t.advance((problem["retryAfter"] as number) * 1000 + 1);
    }
    expect(locks).toEqual([30, 60, 120, 86_400]);
    // Still locked long after: only the relying party's unlock ends it.
    t.advance(48 * HOUR);
    await expectProblem(await t.attempt(sameFace(t.face)), "subject-locked");
    const state = (await (await t.s.get()).json()) as { unlockRequired?: boolean; lockedUntil?: string };
    expect(state.unlockRequired).toBe(true);
    expect(state.lockedUntil).toBeUndefined();
  });

  it(`counts at most ${DAILY} failed attempts per subject in any 24 h, however the attacker times them`, async () => {
    // An attacker with a gallery of faces retries whenever the lock allows, for two days.
    const t = await clocked("cap");
    const start = t.now();
    const failedAt: number[] = [];
    let locked429 = 0;
    while (t.now() - start < 48 * HOUR) {
      const res = await t.attempt(randomFace());
      if (res.status === 200) {
        expect(((await res.json()) as VerifyResponseT).match).toBe(false);
        failedAt.push(t.now());
        t.advance(1000);
        continue;
      }
      const problem = await expectProblem(res, "subject-locked");
      locked429++;
      if (locked429 > 40) break; // locked for good: nothing more will be counted
      t.advance(Math.max(1000, (problem["retryAfter"] as number) * 1000 + 1));
    }
    const worstDay = Math.max(...failedAt.map((a) => failedAt.filter((b) => b >= a && b < a + 24 * HOUR).length));
    expect(worstDay).toBeLessThanOrEqual(DAILY);
    expect(failedAt).toHaveLength(DAILY);
    expect((await vaultSql(t.s.id, "SELECT COUNT(*) AS n FROM failures"))[0]).toEqual({ n: DAILY });
  });

  it("the owner's successful sign-ins do not earn the attacker more tries: the day's count stays", async () => {
    const t = await clocked("owner");
    let failures = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < MAX - 1; i++) {
        const res = await t.attempt(randomFace());
        if (res.status !== 200) break;
        failures++;
      }
      // The owner signs in between the attacker's bursts (when not locked).
      const own = await t.attempt(sameFace(t.face));
      if (own.status === 200) expect(((await own.json()) as VerifyResponseT).match).toBe(true);
      t.advance(60_000);
    }
    expect(failures).toBeLessThanOrEqual(DAILY);
    await expectProblem(await t.attempt(sameFace(t.face)), "subject-locked");
  });

  it("a success ends the escalation: the next lock is 30 s again", async () => {
    const t = await clocked("reset-esc");
    for (let i = 0; i < MAX; i++) await t.attempt(randomFace());
    const first = await expectProblem(await t.attempt(sameFace(t.face)), "subject-locked");
    expect(first["retryAfter"]).toBe(DURATION);
    t.advance(DURATION * 1000 + 1);
    expect(((await (await t.attempt(sameFace(t.face))).json()) as VerifyResponseT).match).toBe(true);
    for (let i = 0; i < MAX; i++) await t.attempt(randomFace());
    const again = await expectProblem(await t.attempt(sameFace(t.face)), "subject-locked");
    expect(again["retryAfter"]).toBe(DURATION);
  });

  it("failures older than 24 h stop counting towards the daily cap", async () => {
    const t = await clocked("day");
    for (let i = 0; i < MAX - 1; i++) await t.attempt(randomFace());
    t.advance(25 * HOUR);
    const { body } = await answer(await t.attempt(randomFace()));
    expect(body.attemptsRemaining).toBe(MAX - 1);
  });
});

describe("POST /v1/admin/subjects/{id}/unlock", () => {
  it("ends the daily lock and the count, is audited, and needs face:admin", async () => {
    const t = await clocked("unlock");
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < MAX; i++) await t.attempt(randomFace());
      t.advance(HOUR);
    }
    await expectProblem(await t.attempt(sameFace(t.face)), "subject-locked");

    await expectProblem(await call("POST", `/v1/admin/subjects/${t.s.id}/unlock`, { token: t.s.token }), "insufficient-scope");
    const admin = await tokenFor("operator", "face:admin");
    const res = await call("POST", `/v1/admin/subjects/${t.s.id}/unlock`, { token: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subjectId: t.s.id, wasLocked: true });

    const { body } = await answer(await t.attempt(sameFace(t.face)));
    expect(body).toMatchObject({ match: true, attemptsRemaining: MAX });
    const again = await call("POST", `/v1/admin/subjects/${t.s.id}/unlock`, { token: admin });
    expect(await again.json()).toEqual({ subjectId: t.s.id, wasLocked: false });
  });
});
