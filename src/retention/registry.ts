import type { RegistryUpdate } from "../vault/outbox.js";

/**
 * The D1 subject registry: (tenant, subject, retainUntil, KEK version) of
 * every subject that holds a consent, and nothing biometric. A worker cannot
 * list Durable Objects, so the retention cron and the KEK rewrap find their
 * vaults here. Maintained only through the vaults' outboxes; a vault always
 * re-checks its own state before acting on what the registry says.
 */
export function registryStatement(db: D1Database, u: RegistryUpdate, now: number): D1PreparedStatement {
  if (!u.entry) {
    return db.prepare("DELETE FROM subject_registry WHERE tenant = ? AND subject_id = ?").bind(u.tenant, u.subjectId);
  }
  return db
    .prepare(
      `INSERT INTO subject_registry (tenant, subject_id, retain_until, kek_version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, subject_id) DO UPDATE SET retain_until = excluded.retain_until,
         kek_version = excluded.kek_version, updated_at = excluded.updated_at`,
    )
    .bind(u.tenant, u.subjectId, u.entry.retainUntil, u.entry.kekVersion, now);
}

export interface RegistryRef {
  tenant: string;
  subjectId: string;
}

/** Subjects whose registered retainUntil has passed, oldest first. */
export async function dueSubjects(db: D1Database, now: number, limit: number): Promise<RegistryRef[]> {
  const { results } = await db
    .prepare("SELECT tenant, subject_id FROM subject_registry WHERE retain_until <= ? ORDER BY retain_until LIMIT ?")
    .bind(now, limit)
    .all<{ tenant: string; subject_id: string }>();
  return results.map((r) => ({ tenant: r.tenant, subjectId: r.subject_id }));
}

/** Subjects whose key is registered under another KEK version than `current` (all tenants, or one). */
export async function staleKekSubjects(
  db: D1Database,
  current: number,
  limit: number,
  tenant?: string,
): Promise<{ subjects: RegistryRef[]; remaining: number }> {
  const where = `kek_version IS NOT NULL AND kek_version <> ?${tenant === undefined ? "" : " AND tenant = ?"}`;
  const binds: (string | number)[] = tenant === undefined ? [current] : [current, tenant];
  const [list, count] = await db.batch<{ tenant?: string; subject_id?: string; n?: number }>([
    db.prepare(`SELECT tenant, subject_id FROM subject_registry WHERE ${where} ORDER BY tenant, subject_id LIMIT ?`).bind(...binds, limit),
    db.prepare(`SELECT COUNT(*) AS n FROM subject_registry WHERE ${where}`).bind(...binds),
  ]);
  return {
    subjects: (list?.results ?? []).map((r) => ({ tenant: r.tenant!, subjectId: r.subject_id! })),
    remaining: count?.results[0]?.n ?? 0,
  };
}
