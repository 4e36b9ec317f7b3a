import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditStatement, purgeAuditLog } from "../../src/audit/audit-log.js";

/** The statements of one migration file, as setup.ts applies them. */
function migration(prefix: string): string[] {
  const m = env.TEST_MIGRATIONS.find((x) => x.name.startsWith(prefix));
  if (!m) throw new Error(`no migration ${prefix}`);
  return m.queries;
}

/**
 * Migration 0006 rebuilds D1's audit log keyed by (at, event_id). On a log
 * written before it (the 0005 shape, ids included), every row stays with
 * every column, a row from before event ids existed keeps its old id as
 * one, and a flush replayed after the migration still inserts nothing twice.
 * (This file's storage is its own: the table is rebuilt here.)
 */
describe("migration 0006: the audit log keyed by time and event id", () => {
  it("keeps every row of a log in the 0005 shape, and a replayed row stays one row", async () => {
    await env.DB.batch([
      env.DB.prepare("DROP TABLE audit_log"),
      env.DB.prepare(`CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, tenant TEXT NOT NULL, subject_id TEXT NOT NULL,
        actor TEXT NOT NULL, client_id TEXT, action TEXT NOT NULL, outcome TEXT NOT NULL, request_id TEXT, event_id TEXT)`),
      env.DB.prepare("CREATE INDEX audit_log_subject ON audit_log (tenant, subject_id, at)"),
      env.DB.prepare("CREATE UNIQUE INDEX audit_log_event ON audit_log (event_id)"),
    ]);
    const old = [
      [7, "2026-01-01T00:00:00.000Z", "default", "m-1", "m-1", "rp", "consent", "granted:2026-01", "req-a", null],
      [8, "2026-01-01T00:00:00.000Z", "default", "m-1", "m-1", null, "enroll", "enrolled", "req-b", "e-b"],
      [9, "2026-01-02T00:00:00.000Z", "other", "m-2", "admin", "rp", "delete", "deleted", null, "e-c"],
    ];
    await env.DB.batch(old.map((r) => env.DB.prepare("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").bind(...r)));

    await env.DB.batch(migration("0006").map((q) => env.DB.prepare(q)));

    const ddl = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").first<{ sql: string }>();
    expect(ddl!.sql).toMatch(/PRIMARY KEY \(at, event_id\)\s*\) WITHOUT ROWID/);
    const { results } = await env.DB.prepare(
      "SELECT at, event_id, tenant, subject_id, actor, client_id, action, outcome, request_id FROM audit_log ORDER BY at, event_id",
    ).all();
    expect(results.map((r) => r["event_id"])).toEqual(["e-b", "legacy:7", "e-c"]); // by time, then event id
    const byEvent = new Map(results.map((r) => [r["event_id"], r]));
    expect([...byEvent.keys()].sort()).toEqual(["e-b", "e-c", "legacy:7"]);
    expect(byEvent.get("legacy:7")).toEqual({
      at: "2026-01-01T00:00:00.000Z",
      event_id: "legacy:7",
      tenant: "default",
      subject_id: "m-1",
      actor: "m-1",
      client_id: "rp",
      action: "consent",
      outcome: "granted:2026-01",
      request_id: "req-a",
    });
    expect(byEvent.get("e-b")).toMatchObject({ action: "enroll", outcome: "enrolled", client_id: null, request_id: "req-b" });
    expect(byEvent.get("e-c")).toMatchObject({ tenant: "other", subject_id: "m-2", actor: "admin", client_id: "rp", request_id: null });
    const indexes = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL").all();
    expect(indexes.results.map((r) => r["name"])).toEqual(["audit_log_subject"]);

    // A vault's flush of the enroll row, replayed after the migration: the same time and event id, nothing new.
    const replay = await auditStatement(env.DB, {
      eventId: "e-b",
      at: Date.parse("2026-01-01T00:00:00.000Z"),
      tenant: "default",
      subjectId: "m-1",
      actor: "m-1",
      clientId: null,
      action: "enroll",
      outcome: "enrolled",
      requestId: "req-b",
    }).run();
    expect(replay.meta.changes).toBe(0);
    // And the retention runs on the rebuilt table: the two rows of 1 January go, the one of 2 January stays.
    expect((await purgeAuditLog(env.DB, Date.parse("2026-01-01T12:00:00.000Z"), 0)).deleted).toBe(2);
    const left = await env.DB.prepare("SELECT event_id FROM audit_log").all();
    expect(left.results.map((r) => r["event_id"])).toEqual(["e-c"]);
  });
});
