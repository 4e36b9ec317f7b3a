import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { x25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { b64uDecode } from "../../src/protocol/base64url.js";
import { HPKE_KEYS } from "../fixtures/keys.js";
import { call, callSettled, expectProblem, MODEL_ID, sealFor, Subject } from "./helpers/api.js";
import { tokenFor } from "./helpers/tokens.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { TEST_ACTOR, toLegacyKeyRow, vaultSql, vaultStub, withVault } from "./helpers/vault.js";
import { toHex } from "./helpers/bytes.js";

type Row = Record<string, SqlStorageValue>;

async function rows(subjectId: string, table: string): Promise<Row[]> {
  return vaultSql<Row>(subjectId, `SELECT * FROM ${table}`);
}

/** Writes rows into a subject's vault, as an attacker with raw storage access could. */
async function insertRows(subjectId: string, table: string, data: Row[]): Promise<void> {
  for (const row of data) {
    const cols = Object.keys(row);
    await vaultSql(subjectId, `INSERT OR REPLACE INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`, ...cols.map((c) => row[c]!));
  }
}

async function verifyStatus(s: Subject, face: Float32Array): Promise<number> {
  const res = await s.verify(face);
  await res.arrayBuffer();
  return res.status;
}

describe("sealed templates are bound to their subject", () => {
  it("a template row copied into another subject's vault does not open there", async () => {
    const aliceFace = randomFace();
    const alice = await Subject.create("alice");
    await alice.enrolled(aliceFace);
    const bob = await Subject.create("bob");
    await bob.enrolled(randomFace());

    await insertRows(bob.id, "templates", await rows(alice.id, "templates"));

    // Bob's vault now holds Alice's sealed template under Bob's name: it must not
    // open (fail closed, 500), and Alice's face must never match as Bob.
    await expectProblem(await bob.verify(sameFace(aliceFace)), "internal");
    expect(await verifyStatus(alice, sameFace(aliceFace))).toBe(200);
  });

  it("copying the wrapped subject key along with the templates does not help", async () => {
    const aliceFace = randomFace();
    const alice = await Subject.create("alice");
    await alice.enrolled(aliceFace);
    const bob = await Subject.create("bob");
    await bob.enrolled(randomFace());

    await vaultSql(bob.id, "DELETE FROM templates");
    await insertRows(bob.id, "subject_key", await rows(alice.id, "subject_key"));
    await insertRows(bob.id, "templates", await rows(alice.id, "templates"));

    await expectProblem(await bob.verify(sameFace(aliceFace)), "internal");
  });

  it("a renamed template (another template id) or relabelled model does not open", async () => {
    const face = randomFace();
    const s = await Subject.create("rename");
    await s.enrolled(face);
    await vaultSql(s.id, "UPDATE templates SET template_id = 'AAAAAAAAAAAAAAAAAAAAAA'");
    await expectProblem(await s.verify(sameFace(face)), "internal");
  });

  it("the vault refuses to act under another identity than the one it was created for", async () => {
    const s = await Subject.create("ident");
    await s.enrolled(randomFace());
    await expect(withVault(s.id, (vault) => vault.describe({ tenant: "default", subjectId: "someone-else", actor: TEST_ACTOR }))).rejects.toThrow(/identity/);
  });
});

describe("DELETE /v1/subjects/{id}", () => {
  it("crypto-shreds: key, templates, consent, challenges and counters are gone, and old rows never open again", async () => {
    const face = randomFace();
    const s = await Subject.create("del");
    await s.enrolled(face);
    await s.verify(randomFace());
    await s.challenge("verify");
    const oldTemplates = await rows(s.id, "templates");
    const oldKey = await rows(s.id, "subject_key");
    expect(oldKey).toHaveLength(1);

    const res = await s.delete();
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    for (const table of ["meta", "consent", "subject_key", "templates", "recent_probes", "challenges", "failures", "locks", "lock_state"]) {
      expect(await rows(s.id, table), table).toEqual([]);
    }
    await expectProblem(await s.get(), "subject-not-found");
    await expectProblem(await s.verify(sameFace(face)), "not-enrolled");

    // Restoring the old sealed rows (say, from a backup) without the key: nothing opens.
    await insertRows(s.id, "templates", oldTemplates);
    await expectProblem(await s.verify(sameFace(face)), "internal");

    // Re-enrolling creates a new subject key; the restored old row still does not open under it.
    await vaultSql(s.id, "DELETE FROM templates");
    await s.enrolled(randomFace());
    const hex = (b: SqlStorageValue | undefined) => toHex(b as ArrayBuffer);
    expect(hex((await rows(s.id, "subject_key"))[0]!["wrapped"])).not.toBe(hex(oldKey[0]!["wrapped"]));
    await insertRows(s.id, "templates", oldTemplates);
    await expectProblem(await s.verify(sameFace(face)), "internal");
  });

  it("is idempotent", async () => {
    const s = await Subject.create("del2");
    expect((await s.delete()).status).toBe(204);
    await s.enrolled(randomFace());
    expect((await s.delete()).status).toBe(204);
    expect((await s.delete()).status).toBe(204);
  });

  it("needs face:delete and the subject's own token (face:admin is no substitute)", async () => {
    const s = await Subject.create("del3");
    await s.enrolled(randomFace());
    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}`, { token: await tokenFor(s.id, "face:read") }), "insufficient-scope");
    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}`, { token: await tokenFor("eve", "face:delete") }), "subject-mismatch");
    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}`, { token: await tokenFor("ops", "face:delete face:admin") }), "subject-mismatch");
    expect((await s.get()).status).toBe(200);
  });
});

describe("GET /v1/subjects/{id}", () => {
  it("shows consent and the template count, never biometric data", async () => {
    const s = await Subject.create("read");
    await s.enrolled(randomFace());
    const res = await s.get();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["consent", "subjectId", "templateCount", "templatesChangedAt"]);
    expect(body["templateCount"]).toBe(1);
    expect(body["consent"]).toMatchObject({ subjectId: s.id, purposes: ["verification"] });
  });

  it("a consent without templates is held (templateCount 0)", async () => {
    const s = await Subject.create("read2");
    await s.consent();
    expect(((await (await s.get()).json()) as { templateCount: number }).templateCount).toBe(0);
  });

  it("is 404 subject-not-found when nothing is held (an issued challenge is not data)", async () => {
    const s = await Subject.create("read3");
    await s.challenge("verify");
    await expectProblem(await s.get(), "subject-not-found");
  });
});

describe("key rotation", () => {
  it("a subject key from before key epochs (wrapped directly under a root KEK) still opens and moves to the current epoch on use", async () => {
    const face = randomFace();
    const s = await Subject.create("kek");
    await s.enrolled(face);
    await toLegacyKeyRow(s.id, 1);
    expect((await rows(s.id, "subject_key"))[0]).toMatchObject({ kek_version: 1, epoch: null });

    expect(await verifyStatus(s, sameFace(face))).toBe(200);
    const row = (await rows(s.id, "subject_key"))[0]!;
    expect(row["epoch"]).toBeTypeOf("number");
    expect(row["kek_version"]).toBe(0);
  });

  it("a subject key under an epoch the server no longer holds fails closed", async () => {
    const face = randomFace();
    const s = await Subject.create("epoch-gone");
    await s.enrolled(face);
    await vaultSql(s.id, "UPDATE subject_key SET epoch = 99");
    await expectProblem(await s.verify(sameFace(face)), "internal");
  });

  it("an envelope for a challenge that names the previous HPKE key still opens", async () => {
    const face = randomFace();
    const s = await Subject.create("hpke");
    await s.enrolled(face);
    const previous = HPKE_KEYS[1];
    const ch = await s.challenge("verify");
    await vaultSql(s.id, "UPDATE challenges SET kid = ? WHERE challenge_id = ?", previous.kid, ch.challengeId);
    const envelope = await sealFor(ch, "verify", s.id, sameFace(face), {
      kid: previous.kid,
      publicKey: x25519.getPublicKey(b64uDecode(previous.privateKey)),
    });
    const res = await s.send("verify", { challengeId: ch.challengeId, modelId: MODEL_ID, envelope });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { match: boolean }).match).toBe(true);
  });
});

describe("housekeeping", () => {
  it("the vault alarm purges challenges past their grace period and keeps live ones", async () => {
    const s = await Subject.create("alarm");
    const old = await s.challenge("verify");
    const live = await s.challenge("verify");
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ? WHERE challenge_id = ?", Date.now() - 3_600_000, old.challengeId);
    expect(await runDurableObjectAlarm(vaultStub(s.id))).toBe(true);
    const left = await vaultSql<{ challenge_id: string }>(s.id, "SELECT challenge_id FROM challenges");
    expect(left.map((r) => r.challenge_id)).toEqual([live.challengeId]);
  });
});

describe("audit log", () => {
  it("records who did what with which outcome, and nothing biometric or secret", async () => {
    const face = randomFace();
    const s = await Subject.create("audit", { azp: "rp-audit" });
    await s.enrolled(face);
    await s.verify(sameFace(face));
    await s.verify(randomFace());
    await s.challenge("verify"); // never presented: audited as unused when the erase deletes it
    // The delete flushes the vault's outbox to D1 (then pseudonymises the subject's rows) before it
    // gives the storage back; the rows are found through the delete's request id.
    const del = await s.delete();
    const pseudonym = (await env.DB.prepare("SELECT subject_id FROM audit_log WHERE request_id = ?")
      .bind(del.headers.get("X-Request-Id"))
      .first<{ subject_id: string }>())!.subject_id;
    const { results } = await env.DB.prepare(
      "SELECT tenant, subject_id, actor, client_id, action, outcome, request_id, at FROM audit_log WHERE subject_id = ? ORDER BY at",
    )
      .bind(pseudonym)
      .all<Record<string, string>>();
    expect(results.map((r) => `${r["action"]}:${r["outcome"]}`)).toEqual([
      "consent:granted:2026-11",
      "enroll:enrolled",
      "verify:match",
      "verify:no-match",
      "challenge:unused:verify:erased",
      "delete:deleted",
    ]);
    for (const r of results) {
      expect(r).toMatchObject({ tenant: "default", subject_id: pseudonym, actor: pseudonym, client_id: "rp-audit" });
      expect(r["request_id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(r["at"]!)).not.toBeNaN();
    }
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('audit_log')").all<{ name: string }>();
    expect(columns.results.map((c) => c.name).sort()).toEqual(
      ["action", "actor", "at", "client_id", "event_id", "outcome", "request_id", "subject_id", "tenant"].sort(),
    );
  });

  it("refusals are audited with their problem code; unauthenticated requests are not", async () => {
    const s = await Subject.create("audit2");
    await callSettled("GET", `/v1/subjects/${s.id}`, { token: await tokenFor("eve", "face:read") });
    await callSettled("GET", `/v1/subjects/${s.id}`);
    const { results } = await env.DB.prepare("SELECT actor, action, outcome FROM audit_log WHERE subject_id = ?").bind(s.id).all();
    expect(results).toEqual([{ actor: "eve", action: "read", outcome: "refused:subject-mismatch" }]);
  });
});
