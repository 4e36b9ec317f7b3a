import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHALLENGE_GRACE_MS } from "../../src/vault/challenges.js";
import { migrate } from "../../src/vault/schema.js";
import { call, MODEL_ID, sealFor, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit, vaultSql, vaultStub } from "./helpers/vault.js";

type OutboxRow = { action: string; outcome: string; at: number; actor: string; client_id: string | null; request_id: string };
const outbox = (id: string) => vaultSql<OutboxRow>(id, "SELECT action, outcome, at, actor, client_id, request_id FROM audit_outbox ORDER BY seq");

/**
 * A challenge is audited once, when its life ends: by the audit row of the
 * attempt that presents it, or, if it is never presented, by a row of its own
 * when it is deleted, dated and attributed to its issuance. (A login used to
 * write an "issued" row and an attempt row, each billed several rows.)
 */
describe("the audit row of a challenge", () => {
  it("a presented challenge is recorded by its attempt only; one never presented gets one row when it lapses, as issued", async () => {
    const face = randomFace();
    const s = await Subject.create("ch-audit", { azp: "rp-ch-audit" });
    await s.enrolled(face);
    await flushAudit(s.id);

    expect((await s.verify(sameFace(face))).status).toBe(200);
    expect((await outbox(s.id)).map((r) => `${r.action}:${r.outcome}`)).toEqual(["verify:match"]);
    await flushAudit(s.id);

    const asked = await call("POST", "/v1/challenges", { token: s.token, body: { subjectId: s.id, purpose: "verify" } });
    expect(asked.status).toBe(201);
    const { challengeId } = (await asked.json()) as { challengeId: string };
    expect(await outbox(s.id)).toEqual([]); // nothing yet: it may still be presented
    const [{ created_at }] = (await vaultSql<{ created_at: number }>(s.id, "SELECT created_at FROM challenges WHERE challenge_id = ?", challengeId)) as [
      { created_at: number },
    ];

    // Every challenge so far (the enrollment's, the verify's, this one) past its expiry and grace.
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ?", Date.now() - CHALLENGE_GRACE_MS - 60_000);
    await s.challenge("verify"); // deletes them first
    expect(await outbox(s.id)).toEqual([
      {
        action: "challenge",
        outcome: "unused:verify:expired",
        at: created_at,
        actor: s.id,
        client_id: "rp-ch-audit",
        request_id: asked.headers.get("X-Request-Id"),
      },
    ]);
    expect(await vaultSql(s.id, "SELECT challenge_id FROM challenges WHERE challenge_id = ?", challengeId)).toEqual([]);
  });

  it("issuing and deleting a challenge each write one row (no second b-tree for its TEXT key)", async () => {
    const s = await Subject.create("ch-rows");
    const ch = await s.challenge("enroll");
    const ddl = await vaultSql<{ sql: string }>(s.id, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'challenges'");
    expect(ddl[0]!.sql).toMatch(/WITHOUT ROWID/);
    expect(await vaultSql(s.id, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'challenges'")).toEqual([]);
    const written = await runInDurableObject(vaultStub(s.id), (_i, state) => {
      const sql = state.storage.sql;
      const update = sql.exec("UPDATE challenges SET used_at = 1 WHERE challenge_id = ?", ch.challengeId);
      update.toArray();
      const del = sql.exec("DELETE FROM challenges WHERE challenge_id = ?", ch.challengeId);
      del.toArray();
      return [update.rowsWritten, del.rowsWritten];
    });
    expect(written).toEqual([1, 1]);
  });

  it("a vault whose challenges table has a rowid gets the new table with its challenges, each keeping its state; their lapse writes no second row", async () => {
    const s = await Subject.create("ch-migrate");
    const face = randomFace();
    await s.enrolled(face);
    await flushAudit(s.id);
    const open = await s.challenge("verify");
    const before = await runInDurableObject(vaultStub(s.id), (_i, state) => {
      const sql = state.storage.sql;
      // The table as vaults before this change created it, holding these challenges.
      sql.exec(`CREATE TABLE old_challenges (challenge_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, subject_id TEXT NOT NULL, purpose TEXT NOT NULL,
        nonce TEXT NOT NULL, kid TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER, completed_at INTEGER,
        outcome TEXT, request_id TEXT, liveness TEXT, action TEXT)`);
      sql.exec(`INSERT INTO old_challenges SELECT challenge_id, tenant, subject_id, purpose, nonce, kid, created_at, expires_at, used_at, completed_at,
        outcome, request_id, liveness, action FROM challenges ORDER BY issued_seq`);
      sql.exec("DROP TABLE challenges");
      sql.exec("ALTER TABLE old_challenges RENAME TO challenges");
      const rows = sql.exec("SELECT rowid AS seq, challenge_id, used_at, outcome FROM challenges ORDER BY rowid").toArray();
      migrate(sql);
      return rows;
    });
    expect(before).toHaveLength(2); // the enrollment's (used) and the open one
    const after = await vaultSql(s.id, "SELECT issued_seq AS seq, challenge_id, used_at, outcome FROM challenges ORDER BY issued_seq");
    expect(after).toEqual(before);
    const ddl = await vaultSql<{ sql: string }>(s.id, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'challenges'");
    expect(ddl[0]!.sql).toMatch(/WITHOUT ROWID/);

    // The open challenge still works, and a new one is issued after the migrated ones.
    const envelope = await sealFor(open, "verify", s.id, sameFace(face));
    expect((await s.send("verify", { challengeId: open.challengeId, modelId: MODEL_ID, envelope })).status).toBe(200);
    const next = await s.challenge("verify");
    const seqs = await vaultSql<{ challenge_id: string; seq: number }>(s.id, "SELECT challenge_id, issued_seq AS seq FROM challenges ORDER BY issued_seq");
    expect(seqs.map((r) => r.challenge_id)).toEqual([...before.map((r) => r["challenge_id"]), next.challengeId]);
    expect(seqs.at(-1)!.seq).toBeGreaterThan(seqs.at(-2)!.seq);

    // Migrated challenges were audited when issued, under the old rule: lapsing adds no second row.
    await flushAudit(s.id);
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ? WHERE challenge_id != ?", Date.now() - CHALLENGE_GRACE_MS - 60_000, next.challengeId);
    await vaultSql(s.id, "UPDATE challenges SET used_at = NULL WHERE challenge_id = ?", before[0]!["challenge_id"] as string); // as if never presented
    await s.challenge("verify");
    expect(await outbox(s.id)).toEqual([]);
  });
});
