import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";

/**
 * First middleware: a request id (logged, returned as X-Request-Id and in
 * every problem's `instance`) and the headers every response carries. API
 * answers are per caller and must not be cached unless a route says so.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("audit", {});
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
