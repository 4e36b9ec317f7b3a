import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { ProblemError } from "../errors/problem-error.js";

/**
 * Caller rate limits, beyond the per-subject lockout: so that no caller can
 * fill a vault's storage or the audit log with challenges, reads or refusals.
 * Workers rate-limiting bindings (wrangler.toml [[ratelimits]]; wrangler dev
 * and the workerd tests run them locally):
 *
 * - RL_ADDRESS: per client address (`CF-Connecting-IP`, set by Cloudflare's
 *   edge; absent, e.g. in a test harness, there is no address to key on);
 * - RL_TOKEN: per access token (its SHA-256);
 * - RL_TENANT: per tenant.
 *
 * A refusal is 429 `rate-limited` with `Retry-After` (the limiter's period)
 * and is not audited: an audit row per refused request would be the very
 * flood the limit prevents. The counters are per Cloudflare location and
 * approximate, which is what they are for; exact limits are the vault's
 * (lockout, open challenges per subject).
 */
const PERIOD_SECONDS = 60;

async function tokenKey(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function refused(): ProblemError {
  return new ProblemError("rate-limited", `Too many requests; retry after ${PERIOD_SECONDS} s.`, { retryAfter: PERIOD_SECONDS });
}

/** Per address: before anything else, authenticated or not. */
export const limitAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  const address = c.req.header("CF-Connecting-IP");
  if (address && !(await c.env.RL_ADDRESS.limit({ key: address })).success) throw refused();
  await next();
};

/**
 * Per token and per tenant: after `authenticate`, before `audited`. Operator
 * routes pass `perToken: false`: an operator walks many subjects with one
 * token (the tenant's limit still applies).
 */
export function limitCaller(opts: { perToken: boolean } = { perToken: true }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { tenant } = c.get("principal");
    const checks = [c.env.RL_TENANT.limit({ key: tenant })];
    if (opts.perToken) {
      const token = (c.req.header("Authorization") ?? "").replace(/^Bearer\s+/i, "");
      checks.push(c.env.RL_TOKEN.limit({ key: await tokenKey(token) }));
    }
    const outcomes = await Promise.all(checks);
    if (outcomes.some((o) => !o.success)) throw refused();
    await next();
  };
}
