import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { expectProblem, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit, setVaultClock, vaultSql, vaultStub } from "./helpers/vault.js";

/**
 * Retention with a controllable clock: the cron gets its time from the
 * scheduled event, each vault from its own (replaceable) clock; nothing here
 * waits for real time to pass.
 */
const DAY_MS = 86_400_000;
const RETENTION_MS = Number(env.RETENTION_DAYS) * DAY_MS;

function runCron(scheduledTime: number): Promise<void> {
  return worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime }), env, createExecutionContext());
}

async function retainUntil(subjectId: string): Promise<number | undefined> {
  return (await vaultSql<{ retain_until: number }>(subjectId, "SELECT retain_until FROM consent"))[0]?.retain_until;
}

async function registered(subjectId: string): Promise<number | null> {
  const row = await env.DB.prepare("SELECT retain_until FROM subject_registry WHERE subject_id = ?").bind(subjectId).first<{ retain_until: number }>();
  return row?.retain_until ?? null;
}

async function audit(subjectId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT actor, action, outcome FROM audit_log WHERE subject_id = ? ORDER BY at")
    .bind(subjectId)
    .all<{ actor: string; action: string; outcome: string }>();
  return results.map((r) => `${r.actor}:${r.action}:${r.outcome}`);
}

/**
 * A purge pseudonymises the subject's audit rows like a delete: its id is in no row afterwards, and
 * its history (ending with the purge) is under one random name, found here by the purge's time.
 */
async function auditAfterPurge(subjectId: string, purgedAt: number): Promise<string[]> {
  expect(await audit(subjectId)).toEqual([]);
  const row = await env.DB.prepare("SELECT subject_id FROM audit_log WHERE action = 'purge' AND at = ?")
    .bind(new Date(purgedAt).toISOString())
    .first<{ subject_id: string }>();
  expect(row!.subject_id).toMatch(/^erased:/);
  return audit(row!.subject_id);
}

describe("retention", () => {
  it("retainUntil defaults to the grant plus RETENTION_DAYS (at most 3 years) and runs again from each successful verify (to the day)", async () => {
    expect(Number(env.RETENTION_DAYS)).toBeLessThanOrEqual(3 * 366);
    const face = randomFace();
    const s = await Subject.create("ret-default");
    const t0 = Date.now();
    await setVaultClock(s.id, () => t0);
    await s.enrolled(face);
    expect(await retainUntil(s.id)).toBe(t0 + RETENTION_MS);
    // A year later the subject verifies: retention now runs from then.
    await setVaultClock(s.id, () => t0 + 365 * DAY_MS);
    expect((await s.verify(sameFace(face))).status).toBe(200);
    expect(await retainUntil(s.id)).toBe(t0 + 365 * DAY_MS + RETENTION_MS);
    // Retention counts days: a verify less than a day after the last move leaves it (and the registry) alone.
    await setVaultClock(s.id, () => t0 + 365 * DAY_MS + DAY_MS - 1);
    expect((await s.verify(sameFace(face))).status).toBe(200);
    expect(await retainUntil(s.id)).toBe(t0 + 365 * DAY_MS + RETENTION_MS);
    await setVaultClock(s.id, () => t0 + 366 * DAY_MS);
    expect((await s.verify(sameFace(face))).status).toBe(200);
    expect(await retainUntil(s.id)).toBe(t0 + 366 * DAY_MS + RETENTION_MS);
    // A failed verify does not extend it.
    await setVaultClock(s.id, () => t0 + 500 * DAY_MS);
    expect((await s.verify(randomFace())).status).toBe(200);
    expect(await retainUntil(s.id)).toBe(t0 + 366 * DAY_MS + RETENTION_MS);
  });

  it("the cron purges subjects past retainUntil and their expired challenges, and keeps the rest", async () => {
    const t0 = Date.now();
    const later = t0 + RETENTION_MS + 3_600_000;
    const faces = { due: randomFace(), renewed: randomFace(), fresh: randomFace() };
    const due = await Subject.create("ret-due");
    const renewed = await Subject.create("ret-renewed");
    for (const s of [due, renewed]) {
      await setVaultClock(s.id, () => t0);
      await s.enrolled(s === due ? faces.due : faces.renewed);
      await flushAudit(s.id);
    }
    await due.challenge("verify");
    // `renewed` verifies shortly before the deadline; its registry entry is not flushed yet, so the
    // registry still says "due" and only the vault knows better.
    await setVaultClock(renewed.id, () => later - 10 * DAY_MS);
    expect((await renewed.verify(sameFace(faces.renewed))).status).toBe(200);
    expect(await registered(renewed.id)).toBe(t0 + RETENTION_MS);

    // An hour before anything is due, the cron purges nothing.
    await runCron(t0 + RETENTION_MS - 3_600_000);
    expect(await retainUntil(due.id)).toBe(t0 + RETENTION_MS);

    for (const s of [due, renewed]) await setVaultClock(s.id, () => later);
    await runCron(later);

    for (const table of ["consent", "subject_key", "templates", "challenges", "failures", "meta"]) {
      expect(await vaultSql(due.id, `SELECT * FROM ${table}`), table).toEqual([]);
    }
    expect(await registered(due.id)).toBeNull();
    expect((await auditAfterPurge(due.id, later)).at(-1)).toBe("system:retention:purge:purged:retention");
    await expectProblem(await due.get(), "subject-not-found");

    // The vault re-checked its own retainUntil: kept, and the registry now says the truth.
    expect(await retainUntil(renewed.id)).toBe(later - 10 * DAY_MS + RETENTION_MS);
    expect(await registered(renewed.id)).toBe(later - 10 * DAY_MS + RETENTION_MS);
    expect((await renewed.verify(sameFace(faces.renewed))).status).toBe(200);
  });

  it("a vault's own alarm purges it at its retention deadline, flushing the purge's audit row first", async () => {
    const t0 = Date.now();
    const s = await Subject.create("ret-alarm");
    await setVaultClock(s.id, () => t0);
    await s.enrolled(randomFace());
    await flushAudit(s.id);
    await setVaultClock(s.id, () => t0 + RETENTION_MS);
    expect(await runDurableObjectAlarm(vaultStub(s.id))).toBe(true);
    expect(await vaultSql(s.id, "SELECT * FROM templates")).toEqual([]);
    expect(await vaultSql(s.id, "SELECT * FROM subject_key")).toEqual([]);
    expect(await registered(s.id)).toBeNull();
    expect((await auditAfterPurge(s.id, t0 + RETENTION_MS)).at(-1)).toBe("system:retention:purge:purged:retention");
  });

  it("the vault's alarm is set for the retention deadline when nothing else is due", async () => {
    const t0 = Date.now();
    const s = await Subject.create("ret-next");
    await setVaultClock(s.id, () => t0);
    await s.consent();
    await flushAudit(s.id);
    expect(await runInDurableObject(vaultStub(s.id), (_i, state) => state.storage.getAlarm())).toBe(t0 + RETENTION_MS);
  });
});
