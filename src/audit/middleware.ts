import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { ApiError } from "../errors/api-error.js";
import { isSubjectId } from "../protocol/ids.js";
import { writeAudit } from "./audit-log.js";

/**
 * Audits one action after it ran (placed after `authenticate`, so the actor is
 * known; unauthenticated requests are not logged, which keeps anonymous
 * traffic from filling the log). The outcome is what the handler noted, or
 * `refused:<code>` for a problem.
 */
export function audited(action: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const note = c.get("audit");
    const param = c.req.param("id");
    const subjectId = note.subjectId ?? (param !== undefined && isSubjectId(param) ? param : undefined);
    if (subjectId === undefined) return;
    const principal = c.get("principal");
    const outcome =
      note.outcome ?? (c.error instanceof ApiError ? `refused:${c.error.code}` : c.error ? "error" : `status:${c.res.status}`);
    await writeAudit(c.env.DB, {
      tenant: principal.tenant,
      subjectId,
      actor: principal.sub,
      clientId: principal.clientId ?? null,
      action,
      outcome,
      requestId: c.get("requestId"),
    });
  };
}
