import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { authenticate, requireScope } from "../auth/index.js";
import { currentKek } from "../crypto/keks.js";
import { epochRing } from "../crypto/key-epochs.js";
import { jsonBody } from "../http/json-body.js";
import { limitCaller } from "../http/rate-limit.js";
import { IntegrityReport, RewrapRequest, RewrapResponse, UnlockResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { staleKeySubjects } from "../registry/subject-registry.js";
import { vaultFor } from "../vault/address.js";
import { actorOf, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

/**
 * Operator endpoints (face:admin, within the token's tenant). face:admin
 * grants these and nothing else: it cannot enroll, verify, read or delete as
 * a subject.
 * - rewrap: rewraps subject keys still under an older key epoch (or, from
 *   before epochs, directly under a root KEK), found through the D1 subject
 *   registry, and says how many remain. The hourly cron does the same for
 *   every tenant and then destroys epochs nothing depends on.
 * - integrity-check: flushes a vault's audit outbox and reports its
 *   consistency (counts only, nothing biometric); used after a crash.
 * - unlock: ends a subject's lock, including the one after the daily limit of
 *   failed attempts, which nothing else ends. Audited.
 */
const REWRAP_DEFAULT_LIMIT = 25;
const REWRAP_CONCURRENCY = 4;

const rewrapRoute = createRoute({
  method: "post",
  path: "/v1/admin/rewrap",
  tags: ["admin"],
  operationId: "rewrapSubjectKeys",
  summary: "Rewrap subject keys still under an older key epoch",
  security: bearerScopes(SCOPES.admin),
  middleware: [authenticate, limitCaller({ perToken: false }), requireScope(SCOPES.admin), jsonBody] as const,
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
  operationId: "checkSubjectIntegrity",
  summary: "Flush a subject vault's audit outbox and report its consistency (no biometric data)",
  security: bearerScopes(SCOPES.admin),
  middleware: [authenticate, limitCaller({ perToken: false }), requireScope(SCOPES.admin)] as const,
  request: { params: SubjectParams },
  responses: {
    200: { description: "Consistency counts", content: jsonContent(IntegrityReport) },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request"),
  },
});

const unlockRoute = createRoute({
  method: "post",
  path: "/v1/admin/subjects/{id}/unlock",
  tags: ["admin"],
  operationId: "unlockSubject",
  summary: "End a subject's lock after failed attempts (also the daily one), and its count",
  description: "The relying party calls this after it has re-established who its user is by its own means. Audited.",
  security: bearerScopes(SCOPES.admin),
  middleware: [authenticate, limitCaller({ perToken: false }), audited("unlock"), requireScope(SCOPES.admin)] as const,
  request: { params: SubjectParams },
  responses: {
    200: { description: "Unlocked (or was not locked)", content: jsonContent(UnlockResponse) },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request"),
  },
});

export function registerAdmin(app: OpenAPIHono<AppEnv>): void {
  app.openapi(rewrapRoute, async (c) => {
    const { limit = REWRAP_DEFAULT_LIMIT } = c.req.valid("json");
    const { tenant } = c.get("principal");
    const epoch = (await epochRing(c.env, Date.now())).current.epoch;
    const { subjects } = await staleKeySubjects(c.env.DB, epoch, limit, tenant);
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
    const { remaining } = await staleKeySubjects(c.env.DB, epoch, 1, tenant);
    return c.json({ kekVersion: currentKek(c.env).version, keyEpoch: epoch, rewrapped, unchanged, failed, remaining }, 200);
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

  app.openapi(unlockRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { tenant } = c.get("principal");
    const { wasLocked } = await vaultCall(c, vaultFor(c.env, tenant, id).unlock({ tenant, subjectId: id, actor: actorOf(c) }));
    return c.json({ subjectId: id, wasLocked }, 200);
  });
}
