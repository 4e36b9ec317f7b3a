import type { SubjectState } from "./types.js";

type ConsentState = NonNullable<SubjectState["consent"]>;

const DAY_MS = 86_400_000;

export function readConsent(sql: SqlStorage): ConsentState | null {
  const row = sql
    .exec<{ policy_version: string; purposes: string; granted_at: number; retain_until: number }>(
      "SELECT policy_version, purposes, granted_at, retain_until FROM consent WHERE id = 1",
    )
    .toArray()[0];
  if (!row) return null;
  return {
    policyVersion: row.policy_version,
    purposes: JSON.parse(row.purposes) as ConsentState["purposes"],
    grantedAt: new Date(row.granted_at).toISOString(),
    retainUntil: new Date(row.retain_until).toISOString(),
  };
}

/** A new grant replaces the previous one (a newer policy version, or a renewal). */
export function grantConsent(
  sql: SqlStorage,
  policyVersion: string,
  purposes: string[],
  now: number,
  retentionDays: number,
): ConsentState {
  sql.exec(
    `INSERT INTO consent (id, policy_version, purposes, granted_at, retain_until) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET policy_version = excluded.policy_version, purposes = excluded.purposes,
       granted_at = excluded.granted_at, retain_until = excluded.retain_until`,
    policyVersion,
    JSON.stringify(purposes),
    now,
    now + retentionDays * DAY_MS,
  );
  return readConsent(sql)!;
}

/** Retention runs from the grant or the last successful verify, whichever is later. */
export function extendRetention(sql: SqlStorage, now: number, retentionDays: number): void {
  sql.exec("UPDATE consent SET retain_until = MAX(retain_until, ?) WHERE id = 1", now + retentionDays * DAY_MS);
}

/** The authoritative retention deadline (Unix ms), or null without a consent. */
export function retainUntil(sql: SqlStorage): number | null {
  return sql.exec<{ retain_until: number }>("SELECT retain_until FROM consent WHERE id = 1").toArray()[0]?.retain_until ?? null;
}
