import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../context.js";
import { ProblemError } from "./problem-error.js";
import { problemResponse } from "./problem.js";
import type { MethodIndex } from "./routes-index.js";

/**
 * Global error handler: an ProblemError becomes its problem; the few HTTPExceptions
 * Hono's own validators throw are mapped to the catalogue; anything else is a
 * bug, logged with the request id (name and message only, never request data)
 * and answered with a 500 that reveals nothing.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = requestIdOf(c);
  if (err instanceof ProblemError) {
    if (err.status >= 500) console.error(JSON.stringify({ requestId, problem: err.code, detail: err.detail }));
    return problemResponse(err, requestId);
  }
  if (err instanceof HTTPException) {
    const mapped = fromHttpException(err);
    if (mapped) return problemResponse(mapped, requestId);
  }
  console.error(JSON.stringify({ requestId, error: errorName(err), message: errorMessage(err) }));
  return problemResponse(new ProblemError("internal"), requestId);
};

/** Unknown path → 404 `not-found`; known path, other method → 405 with `Allow`. */
export function notFoundHandler(allowedMethods: MethodIndex): NotFoundHandler<AppEnv> {
  return (c) => {
    const allow = allowedMethods(c.req.path);
    const err =
      allow.length > 0
        ? new ProblemError("method-not-allowed", `Allowed: ${allow.join(", ")}`, {}, { Allow: allow.join(", ") })
        : new ProblemError("not-found");
    return problemResponse(err, requestIdOf(c));
  };
}

function fromHttpException(err: HTTPException): ProblemError | null {
  switch (err.status) {
    case 400:
      return new ProblemError("malformed-json");
    case 413:
      return new ProblemError("payload-too-large");
    case 415:
      return new ProblemError("unsupported-media-type");
    default:
      return null;
  }
}

function requestIdOf(c: Context<AppEnv>): string {
  return c.get("requestId") ?? crypto.randomUUID();
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : "";
}
