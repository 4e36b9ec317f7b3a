import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_TEMPLATES_PER_SUBJECT } from "../../src/protocol/schemas.js";
import { expectProblem, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { stepUpClaims } from "./helpers/tokens.js";
import { runDurableObjectAlarm } from "cloudflare:test";
import { flushAudit, vaultSql, vaultStub } from "./helpers/vault.js";

/**
 * Exactness under concurrency: every request below is in flight at once
 * (Promise.all), so the vault sees its RPCs interleaved with the worker's
 * asynchronous HPKE opens. Counts must be exact, not "about right".
 */
const MAX_FAILURES = Number(env.LOCKOUT_MAX_FAILURES);

async function auditOutcomes(subjectId: string, action: string): Promise<string[]> {
  await flushAudit(subjectId);
  const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = ?")
    .bind(subjectId, action)
    .all<{ outcome: string }>();
  return results.map((r) => r.outcome);
}

describe("concurrency", () => {
  it(`50 concurrent wrong-face verifies count exactly ${MAX_FAILURES} failures; the rest are 429`, async () => {
    const s = await Subject.create("conc");
    await s.enrolled(randomFace());
    // A token per request: this is about the vault's count, not the per-token rate limit.
    const callers = await Promise.all(Array.from({ length: 50 }, () => s.another()));
    const bodies = [];
    for (const c of callers) bodies.push((await c.body("verify", randomFace())).body);

    const responses = await Promise.all(bodies.map((b, i) => callers[i]!.send("verify", b)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((x) => x === 429)).toHaveLength(50 - MAX_FAILURES);
    const answered = await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.json()));
    expect(answered.map((b) => (b as { attemptsRemaining: number }).attemptsRemaining).sort()).toEqual(Array.from({ length: MAX_FAILURES }, (_, i) => i));
    for (const r of responses.filter((x) => x.status === 429)) await expectProblem(r, "subject-locked");

    const outcomes = await auditOutcomes(s.id, "verify");
    expect(outcomes.filter((o) => o.startsWith("no-match"))).toHaveLength(MAX_FAILURES);
    expect(outcomes.filter((o) => o === "refused:subject-locked")).toHaveLength(50 - MAX_FAILURES);
    expect(await vaultSql(s.id, "SELECT locked_until FROM lock_state WHERE locked_until IS NOT NULL")).toHaveLength(1);
  });

  it("20 concurrent uses of one challenge succeed at most once", async () => {
    const s = await Subject.create("once");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));

    const responses = await Promise.all(Array.from({ length: 20 }, () => s.send("verify", body)));

    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    for (const r of refused) await expectProblem(r, "challenge-used");
  });

  it("20 concurrent uses of one enroll challenge store at most one template", async () => {
    const s = await Subject.create("once-enroll");
    expect((await s.consent()).status).toBe(200);
    const { body } = await s.body("enroll", randomFace());
    const responses = await Promise.all(Array.from({ length: 20 }, () => s.send("enroll", body)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await vaultSql(s.id, "SELECT template_id FROM templates")).toHaveLength(1);
  });

  it("concurrent enrolls never exceed the template limit", async () => {
    // Additional templates need the step-up (a fresh strong authentication at the RP).
    const s = await Subject.create("limit", stepUpClaims());
    const face = randomFace();
    await s.enrolled(face);
    const bodies = [];
    for (let i = 0; i < 10; i++) bodies.push((await s.body("enroll", sameFace(face))).body);

    const responses = await Promise.all(bodies.map((b) => s.send("enroll", b)));

    expect(responses.filter((r) => r.status === 201)).toHaveLength(MAX_TEMPLATES_PER_SUBJECT - 1);
    for (const r of responses.filter((x) => x.status !== 201)) await expectProblem(r, "template-limit");
    expect(await vaultSql(s.id, "SELECT template_id FROM templates")).toHaveLength(MAX_TEMPLATES_PER_SUBJECT);
  });

  it("a delete racing verifies leaves nothing that opens, and later verifies are not-enrolled", async () => {
    const s = await Subject.create("race");
    const face = randomFace();
    await s.enrolled(face);
    const bodies = [];
    for (let i = 0; i < 10; i++) bodies.push((await s.body("verify", sameFace(face))).body);

    const [deleted, ...verifies] = await Promise.all([s.delete(), ...bodies.map((b) => s.send("verify", b))]);

    expect(deleted!.status).toBe(204);
    for (const r of verifies) expect([200, 400, 404]).toContain(r.status);
    expect(await vaultSql(s.id, "SELECT * FROM templates")).toEqual([]);
    expect(await vaultSql(s.id, "SELECT * FROM subject_key")).toEqual([]);
    await expectProblem(await s.verify(sameFace(face)), "not-enrolled");
  });

  it("deletes racing each other, the alarm's outbox flush and verifies never answer 5xx", async () => {
    // Regression: the vault gives its storage back after a delete; code of the same vault that
    // was mid-await (a flush, an attempt in its HPKE open) must resume on empty tables.
    for (let round = 0; round < 5; round++) {
      const s = await Subject.create("race-flush");
      const face = randomFace();
      await s.enrolled(face);
      const bodies = [];
      for (let i = 0; i < 4; i++) bodies.push((await s.body("verify", sameFace(face))).body);
      const answers = await Promise.all([
        s.delete(),
        runDurableObjectAlarm(vaultStub(s.id)).then(() => new Response(null, { status: 204 })),
        ...bodies.map((b) => s.send("verify", b)),
        s.delete(),
        s.get(),
      ]);
      for (const r of answers) expect(r.status, await r.clone().text()).toBeLessThan(500);
      await flushAudit(s.id);
      // Erased, so its rows are pseudonymised: find the deletes by their request ids.
      const ids = [answers[0]!, answers.at(-2)!].map((r) => r.headers.get("X-Request-Id"));
      const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE action = 'delete' AND request_id IN (?, ?)")
        .bind(...ids)
        .all<{ outcome: string }>();
      const deletes = results.map((r) => r.outcome);
      expect(deletes).toHaveLength(2);
      expect(deletes).toContain("deleted");
    }
  });
});
