import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";

/**
 * The production worker (src/index.ts) refuses to serve a configuration that
 * only local development may have: the dev issuer's private key as a binding,
 * the dev issuer (a plain-http loopback issuer) as the token issuer, or the
 * dev issuer's key (kid `dev-issuer-...`, scripts/dev-keys.ts) in AUTH_JWKS.
 * Every request then answers 500 `server-misconfigured`, and the log says
 * which check failed (never a value). The dev entry (demo/worker.ts) does not
 * install this guard; it answers on loopback only instead.
 */
const DEV_KID = /"kid"\s*:\s*"dev-issuer-/;

export function productionProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.DEV_ISSUER_KEY !== undefined) problems.push("DEV_ISSUER_KEY is set (a local development secret)");
  if (!env.AUTH_ISSUER) problems.push("AUTH_ISSUER is not set");
  else if (isLoopbackHttp(env.AUTH_ISSUER)) problems.push("AUTH_ISSUER is a local development issuer");
  if (env.AUTH_JWKS && DEV_KID.test(env.AUTH_JWKS)) problems.push("AUTH_JWKS holds the local dev issuer's key");
  if (!env.ASSERTION_ISSUER) problems.push("ASSERTION_ISSUER is not set");
  return problems;
}

function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch {
    return false;
  }
}

const checked = new WeakMap<object, string[]>();

export const productionGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  let problems = checked.get(c.env);
  if (!problems) {
    problems = productionProblems(c.env);
    checked.set(c.env, problems);
  }
  if (problems.length > 0) {
    console.error(JSON.stringify({ misconfigured: "production", why: problems }));
    throw new ProblemError("server-misconfigured");
  }
  await next();
};
