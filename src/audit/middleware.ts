import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { randomId } from "../crypto/random.js";
import { ProblemError } from "../errors/problem-error.js";
import { isSubjectId } from "../protocol/ids.js";
import { writeAudit } from "./audit-log.js";

/**
 * Audits what a vault did not: a request refused in the worker (scope,
 * subject mismatch, validation, unknown model or key) or one whose vault call
 * failed. A vault records its own decisions in its outbox, in the same
 * transaction (the handler then sets `audit.recorded`). Placed after
 * `authenticate`, so the actor is known; unauthenticated requests are not
 * logged, which keeps anonymous traffic from filling the log. Written with
 * waitUntil: best effort, not on the response path.
 */
export function audited(action: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const note = c.get("audit");
    if (note.recorded) return;
    const param = c.req.param("id");
    const subjectId = note.subjectId ?? (param !== undefined && isSubjectId(param) ? param : undefined);
    if (subjectId === undefined) return;
    const principal = c.get("principal");
    const outcome = note.outcome ?? (c.error instanceof ProblemError ? `refused:${c.error.code}` : c.error ? "error" : `status:${c.res.status}`);
    c.executionCtx.waitUntil(
      writeAudit(c.env.DB, {
        eventId: randomId(16),
        at: Date.now(),
        tenant: principal.tenant,
        subjectId,
        actor: principal.sub,
        clientId: principal.clientId ?? null,
        action,
        outcome,
        requestId: c.get("requestId"),
      }),
    );
  };
}
