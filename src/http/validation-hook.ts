import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { ProblemError } from "../errors/problem-error.js";

const WHERE: Record<string, string> = { json: "body", param: "path", query: "query", header: "header" };
const MAX_ERRORS = 20;

/**
 * Zod failures of any request part → 400 `invalid-request` with
 * `errors: [{path, message}]` (e.g. `body.envelope.kid`, `path.id`). Messages
 * are zod's own, which name the rule, not the submitted value.
 */
// One hook for every route and target, so its input and path types stay open.
// biome-ignore lint/suspicious/noExplicitAny: Hono's Hook is generic over each route's input; this one serves all of them.
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const where = WHERE[result.target] ?? result.target;
  const errors = result.error.issues.slice(0, MAX_ERRORS).map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message.slice(0, 200),
  }));
  throw new ProblemError("invalid-request", "The request does not match the schema; see `errors`.", { errors });
};
