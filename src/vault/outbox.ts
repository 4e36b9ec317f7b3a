import { randomId } from "../crypto/random.js";
import type { AuditRow } from "../audit/audit-log.js";
import { retainUntil } from "./consent.js";
import { keyDependency } from "./subject-key.js";
import type { Actor, SubjectRef } from "./types.js";

/**
 * The vault's outbox: audit rows and "the registry entry of this subject is
 * stale" marks, appended inside the same synchronous transaction as the
 * decision they describe (so no acknowledged operation lacks its audit row,
 * and no audit row exists for an operation that rolled back), and flushed to
 * D1 in batches by the vault's alarm.
 *
 * Each row carries a random `event_id`, with its time D1's key for it: a flush that
 * succeeded in D1 but crashed before deleting its rows here is replayed with
 * INSERT OR IGNORE and changes nothing. (A per-vault sequence would not do:
 * it restarts at 1 when an erased vault is re-created.)
 */
export function appendAudit(sql: SqlStorage, who: SubjectRef, actor: Actor, action: string, outcome: string, now: number): void {
  sql.exec(
    `INSERT INTO audit_outbox (event_id, at, tenant, subject_id, actor, client_id, action, outcome, request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    randomId(16),
    now,
    who.tenant,
    who.subjectId,
    actor.sub,
    actor.clientId,
    action,
    outcome,
    actor.requestId,
  );
}

/**
 * The subject's D1 registry entry (retainUntil, KEK version) must be
 * refreshed. The flush reads the values then, from the vault's own state,
 * so a mark never carries a stale value; `rev` lets the flush clear only the
 * mark it sent.
 */
export function markRegistryDirty(sql: SqlStorage, who: SubjectRef): void {
  sql.exec(
    `INSERT INTO registry_outbox (id, tenant, subject_id, rev) VALUES (1, ?, ?, 1)
     ON CONFLICT (id) DO UPDATE SET rev = rev + 1, tenant = excluded.tenant, subject_id = excluded.subject_id`,
    who.tenant,
    who.subjectId,
  );
}

export interface RegistryUpdate extends SubjectRef {
  rev: number;
  /**
   * null: the subject holds no consent any more; remove its entry. Else its
   * retention deadline and what its subject key depends on: the key epoch, or
   * for a key from before epochs the root KEK version (`legacyKekVersion`).
   */
  entry: { retainUntil: number; keyEpoch: number | null; legacyKekVersion: number | null } | null;
}

/**
 * After an erase, the subject's rows in the D1 audit log are pseudonymised:
 * its id (as subject and as actor) becomes `pseudonym`, a random name kept
 * nowhere else. Sent with every flush while pending, after the batch's rows.
 */
export interface Pseudonymisation extends SubjectRef {
  pseudonym: string;
}

export interface OutboxBatch {
  audit: AuditRow[];
  maxSeq: number;
  registry: RegistryUpdate | null;
  pseudonymise: Pseudonymisation | null;
  /** The batch holds every pending audit row (so a pending pseudonymisation completes with it). */
  last: boolean;
}

/** Marks the subject's audit rows for pseudonymisation (inside the erase's transaction). */
export function markPseudonymise(sql: SqlStorage, who: SubjectRef): void {
  sql.exec(
    `INSERT INTO erase_outbox (id, tenant, subject_id, pseudonym) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, subject_id = excluded.subject_id`,
    who.tenant,
    who.subjectId,
    `erased:${randomId(12)}`,
  );
}

type OutboxRow = {
  seq: number;
  event_id: string;
  at: number;
  tenant: string;
  subject_id: string;
  actor: string;
  client_id: string | null;
  action: string;
  outcome: string;
  request_id: string | null;
};

/** The oldest `limit` audit rows and the registry mark, or null when nothing is pending. */
export function readBatch(sql: SqlStorage, limit: number): OutboxBatch | null {
  const rows = sql.exec<OutboxRow>("SELECT * FROM audit_outbox ORDER BY seq LIMIT ?", limit).toArray();
  const mark = sql.exec<{ tenant: string; subject_id: string; rev: number }>("SELECT tenant, subject_id, rev FROM registry_outbox").toArray()[0];
  const erase = sql.exec<{ tenant: string; subject_id: string; pseudonym: string }>("SELECT tenant, subject_id, pseudonym FROM erase_outbox").toArray()[0];
  if (rows.length === 0 && !mark && !erase) return null;
  let registry: RegistryUpdate | null = null;
  if (mark) {
    const until = retainUntil(sql);
    registry = {
      tenant: mark.tenant,
      subjectId: mark.subject_id,
      rev: mark.rev,
      entry: until !== null ? { retainUntil: until, ...keyDependency(sql) } : null,
    };
  }
  const pending = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM audit_outbox").one().n;
  return {
    audit: rows.map((r) => ({
      eventId: r.event_id,
      at: r.at,
      tenant: r.tenant,
      subjectId: r.subject_id,
      actor: r.actor,
      clientId: r.client_id,
      action: r.action,
      outcome: r.outcome,
      requestId: r.request_id,
    })),
    maxSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : 0,
    registry,
    pseudonymise: erase ? { tenant: erase.tenant, subjectId: erase.subject_id, pseudonym: erase.pseudonym } : null,
    last: rows.length === pending,
  };
}

/** After D1 accepted the batch: drop exactly what was sent (rows appended meanwhile stay). */
export function ackBatch(sql: SqlStorage, batch: OutboxBatch): void {
  if (batch.maxSeq > 0) sql.exec("DELETE FROM audit_outbox WHERE seq <= ?", batch.maxSeq);
  if (batch.registry) sql.exec("DELETE FROM registry_outbox WHERE rev = ?", batch.registry.rev);
  // Every row the erase left has gone out with the pseudonymisation after it (rows
  // appended since belong to a new life of the vault: they keep its new id).
  if (batch.pseudonymise && batch.last) sql.exec("DELETE FROM erase_outbox WHERE pseudonym = ?", batch.pseudonymise.pseudonym);
}

export function outboxPending(sql: SqlStorage): number {
  const audit = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM audit_outbox").one().n;
  const registry = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM registry_outbox").one().n;
  const erase = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM erase_outbox").one().n;
  return audit + registry + erase;
}
