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
export function grantConsent(sql: SqlStorage, policyVersion: string, purposes: string[], now: number, retentionDays: number): ConsentState {
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
/**
 * Runs retention again from a successful verify: retainUntil becomes now +
 * RETENTION_DAYS, but only when that moves it by at least a day. Retention is
 * counted in days, and skipping the smaller moves spares a verify two writes
 * (this row and the registry entry the cron reads, then its D1 update).
 * Returns whether it moved.
 */
export function extendRetention(sql: SqlStorage, now: number, retentionDays: number): boolean {
  const until = now + retentionDays * DAY_MS;
  const current = retainUntil(sql);
  if (current === null || current > until - DAY_MS) return false;
  sql.exec("UPDATE consent SET retain_until = ? WHERE id = 1", until);
  return true;
}

/** The authoritative retention deadline (Unix ms), or null without a consent. */
export function retainUntil(sql: SqlStorage): number | null {
  return sql.exec<{ retain_until: number }>("SELECT retain_until FROM consent WHERE id = 1").toArray()[0]?.retain_until ?? null;
}

export function hasConsent(sql: SqlStorage): boolean {
  return retainUntil(sql) !== null;
}

export function clearConsent(sql: SqlStorage): void {
  sql.exec("DELETE FROM consent");
}
