/**
 * The D1 audit log: who (token subject and client), did what, to which
 * subject of which tenant, when, with what outcome, under which request id.
 * Deliberately no embeddings, scores, keys, tokens or request bodies.
 */
export interface AuditEntry {
  tenant: string;
  subjectId: string;
  actor: string;
  clientId: string | null;
  /** consent | challenge | enroll | verify | read | delete */
  action: string;
  /** e.g. granted, issued, enrolled, match, no-match, locked, deleted, refused:<problem code> */
  outcome: string;
  requestId: string;
}

export async function writeAudit(db: D1Database, e: AuditEntry): Promise<void> {
  try {
    await db
      .prepare(
        `INSERT INTO audit_log (at, tenant, subject_id, actor, client_id, action, outcome, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(new Date().toISOString(), e.tenant, e.subjectId, e.actor, e.clientId, e.action, e.outcome, e.requestId)
      .run();
  } catch (err) {
    // The operation already happened; losing its audit row must not turn
    // the answer into an error. Logged for the operator to notice.
    console.error(JSON.stringify({ audit: "write failed", requestId: e.requestId, error: (err as Error).name }));
  }
}
