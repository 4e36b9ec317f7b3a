import type { RegistryUpdate } from "../vault/outbox.js";

/**
 * The D1 subject registry: (tenant, subject, retainUntil, key epoch) of
 * every subject that holds a consent, and nothing biometric. A vault writes
 * its entry before its consent call returns, so every subject that can hold a
 * key is registered (the key rotation and the epoch destruction rely on it). A worker cannot
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
      `INSERT INTO subject_registry (tenant, subject_id, retain_until, kek_version, key_epoch, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, subject_id) DO UPDATE SET retain_until = excluded.retain_until,
         kek_version = excluded.kek_version, key_epoch = excluded.key_epoch, updated_at = excluded.updated_at`,
    )
    .bind(u.tenant, u.subjectId, u.entry.retainUntil, u.entry.legacyKekVersion, u.entry.keyEpoch, now);
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

/**
 * Subjects whose key is registered under an epoch older than `currentEpoch`,
 * or still directly under a root KEK (from before epochs), for all tenants or one.
 */
export async function staleKeySubjects(
  db: D1Database,
  currentEpoch: number,
  limit: number,
  tenant?: string,
): Promise<{ subjects: RegistryRef[]; remaining: number }> {
  const where = `(key_epoch < ? OR (key_epoch IS NULL AND kek_version IS NOT NULL))${tenant === undefined ? "" : " AND tenant = ?"}`;
  const binds: (string | number)[] = tenant === undefined ? [currentEpoch] : [currentEpoch, tenant];
  const [list, count] = await db.batch<{ tenant?: string; subject_id?: string; n?: number }>([
    db.prepare(`SELECT tenant, subject_id FROM subject_registry WHERE ${where} ORDER BY tenant, subject_id LIMIT ?`).bind(...binds, limit),
    db.prepare(`SELECT COUNT(*) AS n FROM subject_registry WHERE ${where}`).bind(...binds),
  ]);
  return {
    subjects: (list?.results ?? []).map((r) => ({ tenant: r.tenant!, subjectId: r.subject_id! })),
    remaining: count?.results[0]?.n ?? 0,
  };
}

/** Registered subject keys under this epoch: an epoch with none left may be destroyed. */
export async function subjectsUnderEpoch(db: D1Database, epoch: number): Promise<number> {
  const row = await db.prepare("SELECT COUNT(*) AS n FROM subject_registry WHERE key_epoch = ?").bind(epoch).first<{ n: number }>();
  return row?.n ?? 0;
}
