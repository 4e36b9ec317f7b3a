import { z } from "zod";
import type { Env } from "../env.js";
import { ApiError } from "../errors/api-error.js";

/**
 * Numeric policy from wrangler.toml [vars]. Parsed once per env object and
 * validated: a typo in a var must fail loudly (500 `server-misconfigured`),
 * not silently become NaN and disable the lockout.
 */
export interface Policy {
  challengeTtlSeconds: number;
  lockoutMaxFailures: number;
  lockoutWindowSeconds: number;
  lockoutDurationSeconds: number;
  retentionDays: number;
  /** Capped at 120 s: an assertion is a login hand-off, not a session. */
  assertionTtlSeconds: number;
  /**
   * How long a vault waits after a write before flushing its audit outbox to
   * D1: writes within this window share one D1 batch. Default 1 s; the
   * workerd tests set it high and flush explicitly, so nothing races them.
   */
  auditFlushDelayMs: number;
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
  LOCKOUT_WINDOW_SECONDS: int(1, 86_400 * 30),
  LOCKOUT_DURATION_SECONDS: int(1, 86_400 * 30),
  RETENTION_DAYS: int(1, 3 * 366),
  ASSERTION_TTL_SECONDS: int(1, MAX_ASSERTION_TTL_SECONDS),
  AUDIT_FLUSH_DELAY_MS: int(0, 3_600_000).optional(),
});

const cache = new WeakMap<object, Policy>();

export function policyOf(env: Env): Policy {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = PolicyVars.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    console.error(JSON.stringify({ misconfigured: "vars", names }));
    throw new ApiError("server-misconfigured");
  }
  const v = parsed.data;
  const policy: Policy = {
    challengeTtlSeconds: v.CHALLENGE_TTL_SECONDS,
    lockoutMaxFailures: v.LOCKOUT_MAX_FAILURES,
    lockoutWindowSeconds: v.LOCKOUT_WINDOW_SECONDS,
    lockoutDurationSeconds: v.LOCKOUT_DURATION_SECONDS,
    retentionDays: v.RETENTION_DAYS,
    assertionTtlSeconds: v.ASSERTION_TTL_SECONDS,
    auditFlushDelayMs: v.AUDIT_FLUSH_DELAY_MS ?? DEFAULT_AUDIT_FLUSH_DELAY_MS,
  };
  cache.set(env, policy);
  return policy;
}
