import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";

/**
 * First middleware: a request id (logged, returned as X-Request-Id and in
 * every problem's `instance`) and the headers every response carries. API
 * answers are per caller and must not be cached unless a route says so, are
 * never to be sniffed as another type, framed, or sent on as a Referer.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("audit", {});
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  c.res.headers.set("X-Frame-Options", "DENY");
  c.res.headers.set("Referrer-Policy", "no-referrer");
  if (!c.res.headers.has("Content-Security-Policy")) c.res.headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
