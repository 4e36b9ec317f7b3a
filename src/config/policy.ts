import { z } from "zod";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";

/**
 * Numeric policy from wrangler.toml [vars]. Parsed once per env object and
 * validated: a typo in a var must fail loudly (500 `server-misconfigured`),
 * not silently become NaN and disable the lockout. Optional vars have the
 * defaults written here, which are also the values wrangler.toml shows.
 */
export interface LockoutPolicy {
  /** Failures in a streak that lock the subject. */
  maxFailures: number;
  /** A streak counts failures of at most this long ago. */
  windowSeconds: number;
  /** The first lock of a day; each further lock within 24 h lasts `escalation` times longer. */
  durationSeconds: number;
  escalation: number;
  maxDurationSeconds: number;
  /** Failures within 24 h after which the subject stays locked until the relying party unlocks it. */
  dailyFailures: number;
}

export interface Policy {
  challengeTtlSeconds: number;
  lockout: LockoutPolicy;
  retentionDays: number;
  /** Capped at 120 s: an assertion is a login hand-off, not a session. */
  assertionTtlSeconds: number;
  /**
   * How long a vault waits after a write before flushing its audit outbox to
   * D1: writes within this window share one D1 batch. Default 1 s; the
   * workerd tests set it high and flush explicitly, so nothing races them.
   */
  auditFlushDelayMs: number;
  /** Audit rows older than this are deleted by the hourly cron. */
  auditRetentionDays: number;
  /** Key epochs (src/crypto/key-epochs.ts): their length and the wait before an old one is destroyed. */
  keyEpochDays: number;
  keyEpochGraceDays: number;
  /** Access tokens: oldest `iat` accepted, and the longest lifetime (`exp - iat`). */
  maxTokenAgeSeconds: number;
  /** `at+jwt`: only RFC 9068 access tokens (`typ: at+jwt`); `any`: also `JWT` or no `typ`. */
  tokenType: "any" | "at+jwt";
}

const DEFAULT_AUDIT_FLUSH_DELAY_MS = 1000;

export const MAX_ASSERTION_TTL_SECONDS = 120;

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const PolicyVars = z.object({
  CHALLENGE_TTL_SECONDS: int(1, 3600),
  LOCKOUT_MAX_FAILURES: int(1, 1000),
  LOCKOUT_WINDOW_SECONDS: int(1, 86_400),
  // Android's CDD 7.3.10 asks at least 30 s after 5 failures.
  LOCKOUT_DURATION_SECONDS: int(30, 86_400),
  LOCKOUT_ESCALATION: int(1, 10).default(2),
  LOCKOUT_MAX_DURATION_SECONDS: int(30, 86_400).default(3600),
  LOCKOUT_DAILY_FAILURES: int(1, 1000).default(20),
  RETENTION_DAYS: int(1, 3 * 366),
  ASSERTION_TTL_SECONDS: int(1, MAX_ASSERTION_TTL_SECONDS),
  AUDIT_FLUSH_DELAY_MS: int(0, 3_600_000).optional(),
  AUDIT_RETENTION_DAYS: int(1, 3660).default(400),
  KEY_EPOCH_DAYS: int(1, 90).default(7),
  KEY_EPOCH_GRACE_DAYS: int(1, 30).default(2),
  AUTH_MAX_TOKEN_AGE_SECONDS: int(60, 86_400).default(3600),
  AUTH_TOKEN_TYPE: z.enum(["any", "at+jwt"]).default("any"),
});

const cache = new WeakMap<object, Policy>();

export function policyOf(env: Env): Policy {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = PolicyVars.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    console.error(JSON.stringify({ misconfigured: "vars", names }));
    throw new ProblemError("server-misconfigured");
  }
  const v = parsed.data;
  if (v.LOCKOUT_MAX_DURATION_SECONDS < v.LOCKOUT_DURATION_SECONDS) {
    console.error(JSON.stringify({ misconfigured: "vars", names: "LOCKOUT_MAX_DURATION_SECONDS" }));
    throw new ProblemError("server-misconfigured");
  }
  const policy: Policy = {
    challengeTtlSeconds: v.CHALLENGE_TTL_SECONDS,
    lockout: {
      maxFailures: v.LOCKOUT_MAX_FAILURES,
      windowSeconds: v.LOCKOUT_WINDOW_SECONDS,
      durationSeconds: v.LOCKOUT_DURATION_SECONDS,
      escalation: v.LOCKOUT_ESCALATION,
      maxDurationSeconds: v.LOCKOUT_MAX_DURATION_SECONDS,
      dailyFailures: v.LOCKOUT_DAILY_FAILURES,
    },
    retentionDays: v.RETENTION_DAYS,
    assertionTtlSeconds: v.ASSERTION_TTL_SECONDS,
    auditFlushDelayMs: v.AUDIT_FLUSH_DELAY_MS ?? DEFAULT_AUDIT_FLUSH_DELAY_MS,
    auditRetentionDays: v.AUDIT_RETENTION_DAYS,
    keyEpochDays: v.KEY_EPOCH_DAYS,
    keyEpochGraceDays: v.KEY_EPOCH_GRACE_DAYS,
    maxTokenAgeSeconds: v.AUTH_MAX_TOKEN_AGE_SECONDS,
    tokenType: v.AUTH_TOKEN_TYPE,
  };
  cache.set(env, policy);
  return policy;
}
