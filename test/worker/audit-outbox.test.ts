import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { auditStatement } from "../../src/audit/audit-log.js";
import { readBatch } from "../../src/vault/outbox.js";
import { call, callSettled, expectProblem, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { tokenFor } from "./helpers/tokens.js";
import { flushAudit, restoreVaultEnv, setVaultEnv, vaultSql, vaultStub } from "./helpers/vault.js";

type AuditRecord = Record<string, string | null>;

async function auditRows(subjectId: string): Promise<AuditRecord[]> {
  const { results } = await env.DB.prepare(
    "SELECT event_id, tenant, subject_id, actor, client_id, action, outcome, request_id, at FROM audit_log WHERE subject_id = ? ORDER BY at",
  )
    .bind(subjectId)
    .all<AuditRecord>();
  return results;
}

const outboxRows = (subjectId: string) => vaultSql<{ action: string; outcome: string }>(subjectId, "SELECT action, outcome FROM audit_outbox ORDER BY seq");

async function registryRow(subjectId: string) {
  return env.DB.prepare("SELECT retain_until, kek_version, key_epoch FROM subject_registry WHERE subject_id = ?")
    .bind(subjectId)
    .first<{ retain_until: number; kek_version: number | null; key_epoch: number | null }>();
}

/** The audit rows of an erased subject: found through a request id of its, since its id is gone from the log. */
async function rowsOfPseudonymFor(requestId: string): Promise<AuditRecord[]> {
  const one = await env.DB.prepare("SELECT subject_id FROM audit_log WHERE request_id = ?").bind(requestId).first<{ subject_id: string }>();
  return one ? auditRows(one.subject_id) : [];
}

/** A D1 stand-in whose batch fails, as during a D1 outage. */
function brokenDb(): D1Database {
  return {
    prepare: (q: string) => env.DB.prepare(q),
    batch: () => Promise.reject(new Error("D1 unavailable")),
  } as unknown as D1Database;
}

describe("audit outbox", () => {
  it("each vault decision's audit row is committed with it and reaches D1 when the alarm flushes", async () => {
    const face = randomFace();
    const s = await Subject.create("outbox", { azp: "rp-outbox" });
    await s.enrolled(face);
    const res = await s.verify(sameFace(face));
    expect(res.status).toBe(200);

    // Acknowledged, and recorded in the vault's outbox; not yet in D1. (The consent and the first
    // enrollment went out at once: they register the subject and its key epoch.)
    expect((await outboxRows(s.id)).map((r) => `${r.action}:${r.outcome}`)).toEqual(["verify:match"]);
    expect((await auditRows(s.id)).map((r) => r["action"])).toEqual(["consent", "enroll"]);

    expect(await runDurableObjectAlarm(vaultStub(s.id))).toBe(true);

    const rows = await auditRows(s.id);
    expect(rows.map((r) => `${r["action"]}:${r["outcome"]}`)).toEqual(["consent:granted:2026-11", "enroll:enrolled", "verify:match"]);
    expect(rows.at(-1)!["request_id"]).toBe(res.headers.get("X-Request-Id"));
    for (const r of rows) expect(r).toMatchObject({ tenant: "default", subject_id: s.id, actor: s.id, client_id: "rp-outbox" });
    expect(new Set(rows.map((r) => r["event_id"])).size).toBe(rows.length);
    expect(await outboxRows(s.id)).toEqual([]);
  });

  it("a flush D1 refuses keeps the rows and sets the alarm again; the retry delivers each row once", async () => {
    const s = await Subject.create("outage");
    const face = randomFace();
    await s.enrolled(face);
    expect((await s.verify(sameFace(face))).status).toBe(200);
    await setVaultEnv(s.id, { DB: brokenDb() });
    expect(await runDurableObjectAlarm(vaultStub(s.id))).toBe(true);
    expect(await outboxRows(s.id)).toHaveLength(1);
    expect((await auditRows(s.id)).map((r) => r["action"])).toEqual(["consent", "enroll"]);
    // The alarm is set again (with backoff), so the retry needs no new request.
    expect(await runInDurableObject(vaultStub(s.id), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    await restoreVaultEnv(s.id);
    expect(await runDurableObjectAlarm(vaultStub(s.id))).toBe(true);
    expect((await auditRows(s.id)).map((r) => r["action"])).toEqual(["consent", "enroll", "verify"]);
    expect(await outboxRows(s.id)).toEqual([]);
  });

  it("replaying a flush whose rows already reached D1 inserts nothing twice", async () => {
    const s = await Subject.create("replay");
    const face = randomFace();
    await s.enrolled(face);
    expect((await s.verify(sameFace(face))).status).toBe(200);
    // Play a flush that wrote to D1 and then crashed before deleting its rows here.
    const pending = await runInDurableObject(vaultStub(s.id), (_i, state) => readBatch(state.storage.sql, 50));
    expect(pending!.audit).toHaveLength(1);
    await env.DB.batch(pending!.audit.map((row) => auditStatement(env.DB, row)));
    expect(await auditRows(s.id)).toHaveLength(3);

    await flushAudit(s.id);

    expect(await auditRows(s.id)).toHaveLength(3);
    expect(await outboxRows(s.id)).toEqual([]);
  });

  it("DELETE flushes the outbox and its own row to D1, pseudonymised, before the vault's storage is given back", async () => {
    const s = await Subject.create("del-outbox");
    await s.enrolled(randomFace());
    const del = await s.delete();
    expect(del.status).toBe(204);
    // The log keeps what happened and when, under a random name: the subject's id is in no row.
    expect(await auditRows(s.id)).toEqual([]);
    const rows = await rowsOfPseudonymFor(del.headers.get("X-Request-Id")!);
    expect(rows.map((r) => `${r["action"]}:${r["outcome"]}`)).toEqual(["consent:granted:2026-11", "enroll:enrolled", "delete:deleted"]);
    const pseudonym = rows[0]!["subject_id"]!;
    expect(pseudonym).toMatch(/^erased:[A-Za-z0-9_-]{16}$/);
    for (const r of rows) expect(r).toMatchObject({ subject_id: pseudonym, actor: pseudonym });
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE subject_id = ? OR actor = ?").bind(s.id, s.id).all();
    expect(results[0]).toEqual({ n: 0 });
    expect(await vaultSql(s.id, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_outbox'")).toHaveLength(1);
    expect(await outboxRows(s.id)).toEqual([]);
  });

  it("a DELETE during a D1 outage still erases at once; its audit row waits in the outbox for the alarm", async () => {
    const face = randomFace();
    const s = await Subject.create("del-outage");
    await s.enrolled(face);
    await setVaultEnv(s.id, { DB: brokenDb() });
    expect((await s.delete()).status).toBe(204);
    // Every table of the subject's state, whatever the schema holds by now (the platform's `_cf_` and SQLite's own aside):
    // only the outboxes keep rows until D1 is back.
    const tables = (await vaultSql<{ name: string }>(s.id, "SELECT name FROM sqlite_master WHERE type = 'table'"))
      .map((t) => t.name)
      .filter((name) => !name.startsWith("_cf_") && !name.startsWith("sqlite_") && !name.endsWith("_outbox"));
    expect(tables).toEqual(expect.arrayContaining(["meta", "consent", "subject_key", "templates", "challenges", "credentials", "lock_state"]));
    for (const table of tables) expect(await vaultSql(s.id, `SELECT * FROM ${table}`), table).toEqual([]);
    expect((await outboxRows(s.id)).map((r) => r.action)).toEqual(["delete"]);
    expect((await auditRows(s.id)).map((r) => r["action"])).toEqual(["consent", "enroll"]);

    await restoreVaultEnv(s.id);
    await flushAudit(s.id);
    // Delivered, and pseudonymised with the rows already in D1.
    expect(await auditRows(s.id)).toEqual([]);
    const { results } = await env.DB.prepare("SELECT action FROM audit_log WHERE subject_id LIKE 'erased:%' AND tenant = 'default' ORDER BY at").all();
    expect(results.map((r) => r["action"]).slice(-3)).toEqual(["consent", "enroll", "delete"]);
    await expectProblem(await s.verify(sameFace(face)), "not-enrolled");
  });

  // Rows from the two writers reach D1 in flush order, so the log is read in time order (`at`).
  it("a vault refusal is audited by the vault; a refusal before the vault by the worker (off the response path)", async () => {
    const face = randomFace();
    const s = await Subject.create("refusals");
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face));
    expect((await s.send("verify", body)).status).toBe(200);
    await expectProblem(await s.send("verify", body), "challenge-used");
    const mallory = await tokenFor("mallory", "face:verify");
    await expectProblem(await callSettled("POST", `/v1/subjects/${s.id}/verify`, { token: mallory, body }), "subject-mismatch");
    await flushAudit(s.id);
    const verifies = (await auditRows(s.id)).filter((r) => r["action"] === "verify");
    expect(verifies.map((r) => `${r["actor"]}:${r["outcome"]}`)).toEqual([
      `${s.id}:match`,
      `${s.id}:refused:challenge-used`,
      "mallory:refused:subject-mismatch",
    ]);
  });

  it("holds no biometric data, score, key or token in any audit row", async () => {
    const face = randomFace();
    const s = await Subject.create("nobio");
    await s.enrolled(face);
    await s.verify(sameFace(face));
    await s.verify(randomFace());
    await flushAudit(s.id);
    const text = JSON.stringify(await auditRows(s.id));
    expect(text).not.toMatch(/score|cosine|embedding|envelope|ciphertext|Bearer|eyJ/i);
    expect(text).not.toContain(s.token);
    for (const r of await auditRows(s.id)) {
      expect(Object.keys(r).sort()).toEqual(["action", "actor", "at", "client_id", "event_id", "outcome", "request_id", "subject_id", "tenant"].sort());
      expect(r["outcome"]).toMatch(/^[a-z:0-9.-]+$/);
    }
  });
});

describe("subject registry (D1, kept through the outbox)", () => {
  it("registers a subject before its consent is acknowledged, so every vault that can hold a key is found", async () => {
    const s = await Subject.create("registered");
    expect((await s.consent()).status).toBe(200);
    // No flush, no alarm: the entry is already in D1.
    expect(await registryRow(s.id)).toMatchObject({ key_epoch: null });

    const t = await Subject.create("unregistered");
    await setVaultEnv(t.id, { DB: brokenDb() });
    // D1 down: the consent is not acknowledged (a server-side 500, never a client error)...
    expect((await t.consent()).status).toBe(500);
    await restoreVaultEnv(t.id);
    // ...and a retry registers it.
    expect((await t.consent()).status).toBe(200);
    expect(await registryRow(t.id)).not.toBeNull();
  });

  it("holds retainUntil and the key epoch of a consenting subject, follows verifies, and goes with the subject", async () => {
    const face = randomFace();
    const s = await Subject.create("registry");
    await s.enrolled(face);
    await flushAudit(s.id);
    const before = await registryRow(s.id);
    const [consent] = await vaultSql<{ retain_until: number }>(s.id, "SELECT retain_until FROM consent");
    expect(before).toEqual({ retain_until: consent!.retain_until, kek_version: null, key_epoch: 1 });

    await vaultSql(s.id, "UPDATE consent SET retain_until = retain_until - 86400000");
    expect((await s.verify(sameFace(face))).status).toBe(200);
    await flushAudit(s.id);
    const [extended] = await vaultSql<{ retain_until: number }>(s.id, "SELECT retain_until FROM consent");
    expect((await registryRow(s.id))!.retain_until).toBe(extended!.retain_until);

    expect((await s.delete()).status).toBe(204);
    expect(await registryRow(s.id)).toBeNull();
  });
});

describe("POST /v1/admin/subjects/{id}/integrity-check", () => {
  it("flushes the outbox and reports a consistent vault, counts only", async () => {
    const face = randomFace();
    const s = await Subject.create("fsck");
    await s.enrolled(face);
    const verified = await s.verify(sameFace(face));
    const admin = await tokenFor("operator", "face:admin");
    const res = await call("POST", `/v1/admin/subjects/${s.id}/integrity-check`, { token: admin });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      subjectId: s.id,
      consent: true,
      subjectKey: true,
      keyEpoch: 1,
      templates: 1,
      templatesOpening: 1,
      templatesWithoutKey: 0,
      challengesConsumed: 2,
      consumedWithoutOutcome: 0,
      failures: 0,
      lockedUntil: null,
      unlockRequired: false,
      outboxPending: 0,
    });
    expect(report["consumedRequestIds"]).toContain(verified.headers.get("X-Request-Id"));
    expect((await auditRows(s.id)).length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toMatch(/sealed|wrapped|embedding/);
  });

  it("needs face:admin", async () => {
    const s = await Subject.create("fsck2");
    await expectProblem(await call("POST", `/v1/admin/subjects/${s.id}/integrity-check`, { token: s.token }), "insufficient-scope");
  });
});
