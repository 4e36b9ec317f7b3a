import type { Policy } from "../config/policy.js";

/**
 * Failed-attempt accounting. LOCKOUT_MAX_FAILURES failures within
 * LOCKOUT_WINDOW_SECONDS lock the subject for LOCKOUT_DURATION_SECONDS. Every
 * function here is synchronous SQL, called inside the vault's synchronous
 * decisions, so concurrent attempts are counted one at a time.
 */
export function lockedUntil(sql: SqlStorage, now: number): number | null {
  const row = sql.exec<{ locked_until: number }>("SELECT locked_until FROM lockout WHERE id = 1").toArray()[0];
  return row && row.locked_until > now ? row.locked_until : null;
}

/** Seconds until the lock ends, rounded up (for `Retry-After`). */
export function retryAfterSeconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

export function attemptsRemaining(sql: SqlStorage, now: number, policy: Policy): number {
  const since = now - policy.lockoutWindowSeconds * 1000;
  const n = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM failures WHERE at > ?", since).one().n;
  return Math.max(0, policy.lockoutMaxFailures - n);
}

/** Records one failure; locks (and restarts the count) when it is the last one allowed. */
export function recordFailure(
  sql: SqlStorage,
  now: number,
  policy: Policy,
): { attemptsRemaining: number; lockedUntil: number | null } {
  sql.exec("DELETE FROM failures WHERE at <= ?", now - policy.lockoutWindowSeconds * 1000);
  sql.exec("INSERT INTO failures (at) VALUES (?)", now);
  const remaining = attemptsRemaining(sql, now, policy);
  if (remaining > 0) return { attemptsRemaining: remaining, lockedUntil: null };
  const until = now + policy.lockoutDurationSeconds * 1000;
  sql.exec(
    "INSERT INTO lockout (id, locked_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET locked_until = excluded.locked_until",
    until,
  );
  sql.exec("DELETE FROM failures");
  return { attemptsRemaining: 0, lockedUntil: until };
}

/** A successful verify forgives earlier failures. */
export function recordSuccess(sql: SqlStorage): void {
  sql.exec("DELETE FROM failures");
  sql.exec("DELETE FROM lockout");
}

export function purgeLockout(sql: SqlStorage, now: number, policy: Policy): void {
  sql.exec("DELETE FROM failures WHERE at <= ?", now - policy.lockoutWindowSeconds * 1000);
  sql.exec("DELETE FROM lockout WHERE locked_until <= ?", now);
}
