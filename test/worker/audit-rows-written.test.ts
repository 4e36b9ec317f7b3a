import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/vault/schema.js";
import { Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit, vaultSql, vaultStub } from "./helpers/vault.js";

/**
 * The audit trail's tables without AUTOINCREMENT (each appended row used to
 * write a second, billed row in sqlite_sequence): order, the outbox's
 * acknowledge-exactly-what-was-sent rule and its pending rows survive the
 * change, in a vault created before it and in D1.
 */
describe("audit rows without AUTOINCREMENT", () => {
  it("a vault whose outbox was created with AUTOINCREMENT keeps its pending rows and seqs, then flushes each row to D1 once", async () => {
    const face = randomFace();
    const s = await Subject.create("autoinc");
    await s.enrolled(face); // its first template flushes the outbox at once
    expect((await s.verify(sameFace(face, 0.05))).status).toBe(200); // pending: the test bindings flush late
    // The outbox as an older vault created it, holding what this one has pending.
    const before = await runInDurableObject(vaultStub(s.id), (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE old_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, at INTEGER NOT NULL,
        tenant TEXT NOT NULL, subject_id TEXT NOT NULL, actor TEXT NOT NULL, client_id TEXT, action TEXT NOT NULL,
        outcome TEXT NOT NULL, request_id TEXT)`);
      sql.exec("INSERT INTO old_outbox SELECT seq, event_id, at, tenant, subject_id, actor, client_id, action, outcome, request_id FROM audit_outbox");
      sql.exec("DROP TABLE audit_outbox");
      sql.exec("ALTER TABLE old_outbox RENAME TO audit_outbox");
      const rows = sql.exec<{ seq: number; event_id: string }>("SELECT seq, event_id FROM audit_outbox ORDER BY seq").toArray();
      migrate(sql);
      return rows;
    });
    expect(before.map((r) => r.seq)).toEqual([...before.map((r) => r.seq)].sort((a, b) => a - b));
    expect(before.length).toBe(1); // the verify (its challenge is audited with it)
    const ddl = await vaultSql<{ sql: string }>(s.id, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_outbox'");
    expect(ddl[0]!.sql).not.toMatch(/AUTOINCREMENT/i);
    expect(await vaultSql(s.id, "SELECT seq, event_id FROM audit_outbox ORDER BY seq")).toEqual(before);

    // Rows appended after the rebuild come after the old ones, and write nothing to sqlite_sequence.
    expect((await s.verify(sameFace(face, 0.05))).status).toBe(200);
    const after = await vaultSql<{ seq: number; action: string }>(s.id, "SELECT seq, action FROM audit_outbox ORDER BY seq");
    expect(after.slice(0, before.length).map((r) => r.seq)).toEqual(before.map((r) => r.seq));
    expect(after.slice(before.length).map((r) => r.action)).toEqual(["verify"]);
    expect(Math.min(...after.slice(before.length).map((r) => r.seq))).toBeGreaterThan(Math.max(...before.map((r) => r.seq)));
    expect(await vaultSql(s.id, "SELECT name FROM sqlite_sequence WHERE name = 'audit_outbox'")).toEqual([]);

    await flushAudit(s.id);
    expect(await vaultSql(s.id, "SELECT seq FROM audit_outbox")).toEqual([]);
    const { results } = await env.DB.prepare("SELECT event_id, action FROM audit_log WHERE subject_id = ? ORDER BY at")
      .bind(s.id)
      .all<{ event_id: string; action: string }>();
    expect(results.map((r) => r.action)).toEqual(["consent", "enroll", "verify", "verify"]);
    expect(new Set(results.map((r) => r.event_id)).size).toBe(results.length);

    // A flush replayed after a crash (D1 has the rows, the vault had not acknowledged them) adds nothing.
    await flushAudit(s.id);
    const again = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE subject_id = ?").bind(s.id).first<{ n: number }>();
    expect(again!.n).toBe(results.length);
  });

  it("D1's audit_log is keyed by time and event id, with no rowid and no sqlite_sequence write", async () => {
    const ddl = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").first<{ sql: string }>();
    expect(ddl!.sql).not.toMatch(/AUTOINCREMENT/i);
    expect(ddl!.sql).toMatch(/WITHOUT ROWID/);
    const face = randomFace();
    const s = await Subject.create("autoinc-d1");
    await s.enrolled(face);
    await flushAudit(s.id);
    expect((await s.verify(sameFace(face, 0.05))).status).toBe(200);
    await flushAudit(s.id);
    const { results } = await env.DB.prepare("SELECT at, action FROM audit_log WHERE subject_id = ? ORDER BY at")
      .bind(s.id)
      .all<{ at: string; action: string }>();
    expect(results.map((r) => r.action)).toEqual(["consent", "enroll", "verify"]);
    expect((await env.DB.prepare("SELECT name FROM sqlite_sequence WHERE name = 'audit_log'").all()).results).toEqual([]);
  });
});
