/**
 * The D1 audit log: who (token subject and client), did what, to which
 * subject of which tenant, when, with what outcome, under which request id.
 * Deliberately no embeddings, scores, keys, tokens or request bodies.
 *
 * Two writers: each SubjectVault flushes its outbox (rows appended in the
 * same transaction as its decisions), and the worker writes, best effort and
 * off the response path, the refusals it decides before reaching a vault.
 */
export interface AuditRow {
  /** Unique per row; with `at`, D1's key: replaying a flush inserts nothing twice. */
  eventId: string;
  /** Unix milliseconds. */
  at: number;
  tenant: string;
  subjectId: string;
  actor: string;
  clientId: string | null;
  /** consent | challenge | enroll | verify | read | delete | purge | rewrap */
  action: string;
  /** e.g. granted:<policy>, unused:<purpose>:expired (a challenge never presented), enrolled, match, no-match, deleted, purged:retention, refused:<problem code> */
  outcome: string;
  requestId: string | null;
}

export function auditStatement(db: D1Database, e: AuditRow): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO audit_log (event_id, at, tenant, subject_id, actor, client_id, action, outcome, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(e.eventId, new Date(e.at).toISOString(), e.tenant, e.subjectId, e.actor, e.clientId, e.action, e.outcome, e.requestId);
}

/** The worker's own rows (refusals before any vault): best effort, never turns an answer into an error. */
export async function writeAudit(db: D1Database, e: AuditRow): Promise<void> {
  try {
    await auditStatement(db, e).run();
  } catch (err) {
    console.error(JSON.stringify({ audit: "write failed", requestId: e.requestId, error: (err as Error).name }));
  }
}

/**
 * After an erase: the subject's rows keep what happened and when, but its id
 * (as subject, and as actor where the subject acted itself) becomes a random
 * pseudonym kept nowhere else. D1's own 30-day recovery still holds the old
 * rows that long (docs/SECURITY.md, "Erasure").
 */
export function pseudonymiseStatement(db: D1Database, tenant: string, subjectId: string, pseudonym: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE audit_log SET actor = CASE WHEN actor = ?2 THEN ?3 ELSE actor END, subject_id = ?3
       WHERE tenant = ?1 AND subject_id = ?2`,
    )
    .bind(tenant, subjectId, pseudonym);
}

/** What a retention run deleted, and what D1 billed for it. */
export interface AuditPurge {
  deleted: number;
  rowsRead: number;
  rowsWritten: number;
}

/**
 * Retention of the audit log itself (the hourly cron): rows older than `days`
 * go. The table is keyed by (at, event_id) (migration 0006), so this is a
 * range of the key: it reads and deletes exactly the expired rows, with no
 * index on `at` for every row to write an entry in (a billed D1 row on insert
 * and again on delete). A row that reached D1 late (its vault's flush retried
 * through a D1 outage) goes by its own time like every other.
 */
export async function purgeAuditLog(db: D1Database, now: number, days: number): Promise<AuditPurge> {
  const cutoff = new Date(now - days * 86_400_000).toISOString();
  const r = await db.prepare("DELETE FROM audit_log WHERE at < ?").bind(cutoff).run();
  return { deleted: r.meta.changes ?? 0, rowsRead: r.meta.rows_read ?? 0, rowsWritten: r.meta.rows_written ?? 0 };
}
