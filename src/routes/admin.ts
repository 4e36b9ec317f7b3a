import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { authenticate, requireScope } from "../auth/index.js";
import { currentKek } from "../crypto/keks.js";
import { jsonBody } from "../http/json-body.js";
import { IntegrityReport, RewrapRequest, RewrapResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { staleKekSubjects } from "../retention/registry.js";
import { vaultFor } from "../vault/stub.js";
import { actorOf } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

/**
 * Operator endpoints (face:admin, within the token's tenant):
 * - rewrap: the maintenance path of a KEK rotation. Rewraps subject keys still
 *   wrapped under an older KEK, found through the D1 subject registry, and says
 *   how many remain; at 0 the old version can be dropped from TEMPLATE_KEKS.
 *   The hourly cron does the same for every tenant, a batch per run.
 * - integrity-check: flushes a vault's audit outbox and reports its
 *   consistency (counts only, nothing biometric); used after a crash.
 */
const REWRAP_DEFAULT_LIMIT = 25;
const REWRAP_CONCURRENCY = 4;

const rewrapRoute = createRoute({
  method: "post",
  path: "/v1/admin/rewrap",
  tags: ["admin"],
  summary: "Rewrap subject keys still under an older template KEK",
  security: bearerScopes(SCOPES.admin),
  middleware: [authenticate, requireScope(SCOPES.admin), jsonBody] as const,
  request: { body: { required: true, content: jsonContent(RewrapRequest) } },
  responses: {
    200: { description: "What was rewrapped and what remains", content: jsonContent(RewrapResponse) },
    ...problemResponses(...AUTH_PROBLEMS, ...BODY_PROBLEMS),
  },
});

const integrityRoute = createRoute({
  method: "post",
  path: "/v1/admin/subjects/{id}/integrity-check",
  tags: ["admin"],
  summary: "Flush a subject vault's audit outbox and report its consistency (no biometric data)",
  security: bearerScopes(SCOPES.admin),
  middleware: [authenticate, requireScope(SCOPES.admin)] as const,
  request: { params: SubjectParams },
  responses: {
    200: { description: "Consistency counts", content: jsonContent(IntegrityReport) },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request"),
  },
});

export function registerAdmin(app: OpenAPIHono<AppEnv>): void {
  app.openapi(rewrapRoute, async (c) => {
    const { limit = REWRAP_DEFAULT_LIMIT } = c.req.valid("json");
    const { tenant } = c.get("principal");
    const current = currentKek(c.env).version;
    const { subjects } = await staleKekSubjects(c.env.DB, current, limit, tenant);
    const actor = actorOf(c);
    let rewrapped = 0;
    let unchanged = 0;
    let failed = 0;
    for (let i = 0; i < subjects.length; i += REWRAP_CONCURRENCY) {
      const results = await Promise.allSettled(
        subjects.slice(i, i + REWRAP_CONCURRENCY).map((s) => vaultFor(c.env, s.tenant, s.subjectId).rewrap({ ...s, actor })),
      );
      for (const r of results) {
        if (r.status === "rejected") failed += 1;
        else if (r.value.rewrapped) rewrapped += 1;
        else unchanged += 1;
      }
    }
    if (failed > 0) console.error(JSON.stringify({ admin: "rewrap", failed, requestId: actor.requestId }));
    const { remaining } = await staleKekSubjects(c.env.DB, current, 1, tenant);
    return c.json({ kekVersion: current, rewrapped, unchanged, failed, remaining }, 200);
  });

  app.openapi(integrityRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { tenant } = c.get("principal");
    const report = await vaultFor(c.env, tenant, id).inspect({ tenant, subjectId: id });
    return c.json(
      {
        subjectId: id,
        ...report,
        lockedUntil: report.lockedUntil === null ? null : new Date(report.lockedUntil).toISOString(),
      },
      200,
    );
  });
}
