import type { LockoutPolicy } from "../config/policy.js";

/**
 * Failed-attempt accounting with escalating locks and a daily cap. Every
 * function is synchronous SQL called inside the vault's synchronous
 * decisions, so concurrent attempts are counted one at a time, exactly.
 *
 * - A *streak* is the failures after the last lock or success (counted by
 *   row, so a clock that stands still cannot hide one) and within the last
 *   `windowSeconds`. `maxFailures` of them lock the subject.
 * - Lock k of the last 24 h (k = 0, 1, ...) lasts `durationSeconds * escalation^k`,
 *   at most `maxDurationSeconds`: with the defaults 30 s, 60 s, 120 s.
 * - `dailyFailures` failures within 24 h lock the subject until the relying
 *   party unlocks it (`unlock`, an admin call): with the defaults at most 20
 *   failed attempts per subject per 24 h, whatever the timing.
 * - A success ends the streak and the escalation but not the daily count, so
 *   an attacker cannot use the owner's successful logins to earn more tries.
 *
 * Tables (schema.ts): `failures (at)` holds the last 24 h of failures, `locks (at, seconds)` the locks of the last 24 h;
 * `lock_state (locked_until, hard, streak_after)`: `locked_until` is the end of
 * the current lock (null when none), `hard` = 1 for the daily lock that only
 * `unlock` ends, `streak_after` the last failure id before the current streak.
 */
export const DAY_MS = 86_400_000;

/** Stored for a lock that only `unlock` ends; Retry-After then says "a day". */
const HARD_RETRY_SECONDS = 86_400;

type LockRow = {
  locked_until: number | null;
  hard: number;
  streak_after: number;
};

function row(sql: SqlStorage): LockRow {
  return (
    sql.exec<LockRow>("SELECT locked_until, hard, streak_after FROM lock_state WHERE id = 1").toArray()[0] ?? {
      locked_until: null,
      hard: 0,
      streak_after: 0,
    }
  );
}

function write(sql: SqlStorage, r: LockRow): void {
  sql.exec(
    `INSERT INTO lock_state (id, locked_until, hard, streak_after) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET locked_until = excluded.locked_until, hard = excluded.hard,
       streak_after = excluded.streak_after`,
    r.locked_until,
    r.hard,
    r.streak_after,
  );
}

export interface LockState {
  /** Unix ms when the lock ends; null for none. */
  until: number | null;
  /** Locked until the relying party unlocks the subject. */
  hard: boolean;
}

/** The lock in force at `now`, if any. */
export function currentLock(sql: SqlStorage, now: number): LockState | null {
  const r = row(sql);
  if (r.hard) return { until: null, hard: true };
  return r.locked_until !== null && r.locked_until > now ? { until: r.locked_until, hard: false } : null;
}

/** Seconds until the lock ends, rounded up (for `Retry-After`); a day for a lock only `unlock` ends. */
export function retryAfterSeconds(lock: LockState, now: number): number {
  if (lock.until === null) return HARD_RETRY_SECONDS;
  return Math.max(1, Math.ceil((lock.until - now) / 1000));
}

function failuresSince(sql: SqlStorage, since: number): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM failures WHERE at > ?", since).one().n;
}

function streakOf(sql: SqlStorage, r: LockRow, now: number, p: LockoutPolicy): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM failures WHERE id > ? AND at > ?", r.streak_after, now - p.windowSeconds * 1000).one().n;
}

function lastFailureId(sql: SqlStorage): number {
  return sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM failures").one().id ?? 0;
}

/** Attempts left before the next lock (0 when locked). */
export function attemptsRemaining(sql: SqlStorage, now: number, p: LockoutPolicy): number {
  const r = row(sql);
  if (currentLock(sql, now)) return 0;
  const streak = streakOf(sql, r, now, p);
  const daily = failuresSince(sql, now - DAY_MS);
  return Math.max(0, Math.min(p.maxFailures - streak, p.dailyFailures - daily));
}

/** Locks that started within the last 24 h: the escalation level of the next one. */
function recentLocks(sql: SqlStorage, now: number): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM locks WHERE at > ?", now - DAY_MS).one().n;
}

export interface FailureOutcome {
  attemptsRemaining: number;
  /** The lock this failure started, if it started one. */
  lock: LockState | null;
}

/** Records one failure; locks when it completes a streak or reaches the daily cap. */
export function recordFailure(sql: SqlStorage, now: number, p: LockoutPolicy): FailureOutcome {
  sql.exec("DELETE FROM failures WHERE at <= ?", now - DAY_MS);
  sql.exec("INSERT INTO failures (at) VALUES (?)", now);
  const r = row(sql);
  const daily = failuresSince(sql, now - DAY_MS);
  if (daily >= p.dailyFailures) {
    write(sql, { locked_until: null, hard: 1, streak_after: lastFailureId(sql) });
    return { attemptsRemaining: 0, lock: { until: null, hard: true } };
  }
  const streak = streakOf(sql, r, now, p);
  if (streak < p.maxFailures) {
    return { attemptsRemaining: Math.min(p.maxFailures - streak, p.dailyFailures - daily), lock: null };
  }
  sql.exec("DELETE FROM locks WHERE at <= ?", now - DAY_MS);
  const level = recentLocks(sql, now);
  const seconds = Math.min(p.maxDurationSeconds, p.durationSeconds * p.escalation ** level);
  const until = now + seconds * 1000;
  sql.exec("INSERT INTO locks (at, seconds) VALUES (?, ?)", now, seconds);
  write(sql, { locked_until: until, hard: 0, streak_after: lastFailureId(sql) });
  return { attemptsRemaining: 0, lock: { until, hard: false } };
}

/**
 * A successful verify ends the streak and the escalation. The day's failures
 * stay counted: the daily cap holds however often the owner signs in.
 */
export function recordSuccess(sql: SqlStorage, now: number): void {
  const r = row(sql);
  // Nothing to forgive (the usual verify): no write at all.
  const last = lastFailureId(sql);
  if (last <= r.streak_after && recentLocks(sql, now) === 0) return;
  sql.exec("DELETE FROM locks");
  write(sql, { locked_until: null, hard: 0, streak_after: last });
}

/** The relying party's unlock (admin): ends any lock, the escalation and the day's count. */
export function unlock(sql: SqlStorage, now: number): boolean {
  const wasLocked = currentLock(sql, now) !== null;
  clearLockout(sql);
  return wasLocked;
}

export function clearLockout(sql: SqlStorage): void {
  sql.exec("DELETE FROM failures");
  sql.exec("DELETE FROM locks");
  sql.exec("DELETE FROM lock_state");
}

/** Whether anything is counted or locked (a hard lock outlives the failures that caused it). */
export function hasLockoutState(sql: SqlStorage): boolean {
  return ["failures", "locks", "lock_state"].some((t) => sql.exec(`SELECT 1 FROM ${t} LIMIT 1`).toArray().length > 0);
}

/** Housekeeping (the vault's alarm): forget what no longer counts. */
export function purgeLockout(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM failures WHERE at <= ?", now - DAY_MS);
  sql.exec("DELETE FROM locks WHERE at <= ?", now - DAY_MS);
  const r = row(sql);
  if (!r.hard && (r.locked_until === null || r.locked_until <= now) && failuresSince(sql, 0) === 0) {
    sql.exec("DELETE FROM lock_state");
  }
}

/** The earliest time something here stops counting (for the vault's alarm), if any. */
export function lockoutNextDue(sql: SqlStorage): number | null {
  const f = sql.exec<{ t: number | null }>("SELECT MIN(at) AS t FROM failures").one().t;
  const l = sql.exec<{ t: number | null }>("SELECT MIN(at) AS t FROM locks").one().t;
  const times = [f, l].filter((t): t is number => t !== null).map((t) => t + DAY_MS);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Failures counted in the last 24 h (for the integrity report). */
export function failuresToday(sql: SqlStorage, now: number): number {
  return failuresSince(sql, now - DAY_MS);
}
