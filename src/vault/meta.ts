import { VaultInvariantError } from "./invariant.js";
import type { SubjectRef } from "./types.js";

/*
 * The vault's `meta` row: which (tenant, subject) it is, learnt from its
 * first write, and when its template set last changed.
 */

/** The worker addresses a vault by the name it then passes in every call: a mismatch is its bug. */
export class VaultIdentityError extends VaultInvariantError {
  override name = "VaultIdentityError";
}

export function identity(sql: SqlStorage): SubjectRef | null {
  const row = sql.exec<{ tenant: string; subject_id: string }>("SELECT tenant, subject_id FROM meta").toArray()[0];
  return row ? { tenant: row.tenant, subjectId: row.subject_id } : null;
}

/**
 * Refuses any call that names another (tenant, subject) than the one the
 * vault holds: the name it was addressed by is the only identity that goes
 * into AADs. With `bind`, the first write records it.
 */
export function checkIdentity(sql: SqlStorage, who: SubjectRef, bind: boolean): void {
  const row = identity(sql);
  if (row) {
    if (row.tenant !== who.tenant || row.subjectId !== who.subjectId) throw new VaultIdentityError("vault identity mismatch");
  } else if (bind) {
    sql.exec("INSERT INTO meta (id, tenant, subject_id) VALUES (1, ?, ?)", who.tenant, who.subjectId);
  }
}

/** Records that a template was added or removed (inside the same transaction). */
export function templatesChanged(sql: SqlStorage, now: number): void {
  sql.exec("UPDATE meta SET templates_changed_at = ? WHERE id = 1", now);
}

export function templatesChangedAt(sql: SqlStorage): number | null {
  return sql.exec<{ t: number | null }>("SELECT templates_changed_at AS t FROM meta").toArray()[0]?.t ?? null;
}

export function clearMeta(sql: SqlStorage): void {
  sql.exec("DELETE FROM meta");
}
