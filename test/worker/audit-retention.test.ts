import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { auditStatement, purgeAuditLog } from "../../src/audit/audit-log.js";
import { policyOf } from "../../src/config/policy.js";
import { randomId } from "../../src/crypto/random.js";

const DAY_MS = 86_400_000;
const DAYS = policyOf(env).auditRetentionDays;

/** Audit rows inserted in this order, dated `ages` days before `now` (as a vault's flush writes them). */
async function insertRows(subjectId: string, now: number, ages: number[]): Promise<void> {
  await env.DB.batch(
    ages.map((age, i) =>
      auditStatement(env.DB, {
        eventId: randomId(16),
        at: now - age * DAY_MS,
        tenant: "default",
        subjectId,
        actor: subjectId,
        clientId: null,
        action: "verify",
        outcome: `row-${i}`,
        requestId: null,
      }),
    ),
  );
}

async function outcomesLeft(subjectId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? ORDER BY at").bind(subjectId).all<{ outcome: string }>();
  return results.map((r) => r.outcome);
}

/**
 * The audit log keeps its rows AUDIT_RETENTION_DAYS and the hourly cron
 * deletes them after that, as a range of its (at, event_id) key (no index is
 * written with every row for it): never a row still within retention, and a
 * row that reached D1 late goes by its own time.
 */
describe("audit log retention", () => {
  // The retention is global: each test starts from an empty log (this file's storage is its own).
  beforeEach(async () => {
    await env.DB.prepare("DELETE FROM audit_log").run();
  });

  it("the cron deletes the rows past AUDIT_RETENTION_DAYS and keeps every row within it", async () => {
    const now = Date.parse("2031-05-01T00:00:00Z");
    await insertRows("ret-a", now, [DAYS + 30, DAYS + 1, DAYS + 0.01, DAYS - 0.1, 10, 0]);
    await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: now }), env, createExecutionContext());
    expect(await outcomesLeft("ret-a")).toEqual(["row-3", "row-4", "row-5"]);
    // An hour later the next run deletes nothing more; once the rest age past retention, they go too.
    expect((await purgeAuditLog(env.DB, now + 3_600_000, DAYS)).deleted).toBe(0);
    expect((await purgeAuditLog(env.DB, now + (DAYS - 9) * DAY_MS, DAYS)).deleted).toBe(2);
    expect(await outcomesLeft("ret-a")).toEqual(["row-5"]);
    expect((await purgeAuditLog(env.DB, now + 2 * DAYS * DAY_MS, DAYS)).deleted).toBe(1);
    expect(await outcomesLeft("ret-a")).toEqual([]);
  });

  it("a row flushed late (older than rows inserted before it) goes by its own time; none is deleted early", async () => {
    const now = Date.parse("2031-06-01T00:00:00Z");
    // row-2 arrived two days late: older than row-1, inserted after it.
    await insertRows("ret-b", now, [DAYS + 5, DAYS - 1, DAYS + 1, DAYS - 3]);
    expect((await purgeAuditLog(env.DB, now, DAYS)).deleted).toBe(2);
    expect(await outcomesLeft("ret-b")).toEqual(["row-1", "row-3"]);
    expect((await purgeAuditLog(env.DB, now + 1.5 * DAY_MS, DAYS)).deleted).toBe(1);
    expect(await outcomesLeft("ret-b")).toEqual(["row-3"]);
  });

  it("keyed by (at, event_id) WITHOUT ROWID: inserting an audit row writes the row and its one index entry", async () => {
    const ddl = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").first<{ sql: string }>();
    expect(ddl!.sql).toMatch(/PRIMARY KEY \(at, event_id\)\s*\) WITHOUT ROWID/);
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL ORDER BY name",
    ).all<{
      name: string;
    }>();
    expect(results.map((r) => r.name)).toEqual(["audit_log_subject"]);
    const row = {
      eventId: randomId(16),
      at: Date.now(),
      tenant: "default",
      subjectId: "ret-c",
      actor: "ret-c",
      clientId: null,
      action: "verify",
      outcome: "x",
      requestId: null,
    };
    const inserted = await auditStatement(env.DB, row).run();
    expect(inserted.meta.rows_written).toBe(2);
    // Replayed (a flush acknowledged late): nothing written.
    const replayed = await auditStatement(env.DB, row).run();
    expect(replayed.meta.changes).toBe(0);
    expect(replayed.meta.rows_written).toBe(0);
    // Deleted by the retention: what D1 reports for it.
    const purged = await purgeAuditLog(env.DB, row.at + (DAYS + 1) * DAY_MS, DAYS);
    expect(purged.deleted).toBe(1);
    expect(purged.rowsWritten).toBeGreaterThanOrEqual(1);
  });
});
