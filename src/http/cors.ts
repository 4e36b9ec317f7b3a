import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";

/**
 * CORS for browser SDKs on a relying party's origin. Only origins listed in
 * CORS_ORIGINS (comma-separated, exact `scheme://host[:port]`) get
 * `Access-Control-Allow-Origin`; an empty list means same-origin only.
 * Credentials are bearer tokens in `Authorization`, never cookies, so
 * `Access-Control-Allow-Credentials` is not sent and `*` is not accepted.
 *
 * A preflight from a listed origin is answered here (204). Any other OPTIONS
 * falls through to the router, which answers 405 with `Allow`: the browser
 * then refuses the call, and non-browser clients get a catalogued problem.
 */
const ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE";
const ALLOW_HEADERS = "Authorization, Content-Type";
/** What the SDK reads from responses: the request id, the lockout hint, the auth challenge. */
const EXPOSE_HEADERS = "X-Request-Id, Retry-After, WWW-Authenticate";
const MAX_AGE_SECONDS = "600";

const parsed = new Map<string, ReadonlySet<string>>();

export function corsOrigins(env: Env): ReadonlySet<string> {
  const raw = env.CORS_ORIGINS ?? "";
  let origins = parsed.get(raw);
  if (!origins) {
    const list = raw
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== "");
    for (const o of list) {
      if (!isOrigin(o)) {
        // Names the variable, not the value (it is configuration, but keep logs uniform).
        console.error(JSON.stringify({ misconfigured: "CORS_ORIGINS", why: "each entry must be scheme://host[:port]" }));
        throw new ProblemError("server-misconfigured");
      }
    }
    origins = new Set(list);
    parsed.set(raw, origins);
  }
  return origins;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = corsOrigins(c.env);
  if (origins.size === 0) return next();
  const origin = c.req.header("Origin");
  const allowed = origin !== undefined && origins.has(origin);
  if (allowed && c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method") !== undefined) {
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": ALLOW_METHODS,
      "Access-Control-Allow-Headers": ALLOW_HEADERS,
      "Access-Control-Max-Age": MAX_AGE_SECONDS,
      Vary: "Origin",
    });
  }
  await next();
  // The answer depends on Origin whenever a list is configured (caches must key on it).
  c.res.headers.append("Vary", "Origin");
  if (allowed) {
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }
};
