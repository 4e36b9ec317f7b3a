import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertMayActOn, authenticate, requireScope } from "../auth/index.js";
import { ProblemError } from "../errors/problem-error.js";
import { limitCaller } from "../http/rate-limit.js";
import { SubjectRecord } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { vaultFor } from "../vault/address.js";
import { actorOf, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "get",
  path: "/v1/subjects/{id}",
  tags: ["subjects"],
  operationId: "readSubject",
  summary: "What is held about a subject (never biometric data)",
  security: bearerScopes(SCOPES.read),
  middleware: [authenticate, limitCaller(), audited("read"), requireScope(SCOPES.read)] as const,
  request: { params: SubjectParams },
  responses: {
    200: { description: "Consent, template count, when the templates last changed, lock state", content: jsonContent(SubjectRecord) },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request", "subject-not-found"),
  },
});

export function registerSubjectRead(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    const state = await vaultCall(c, vaultFor(c.env, principal.tenant, id).describe({ tenant: principal.tenant, subjectId: id, actor: actorOf(c) }));
    if (!state) throw new ProblemError("subject-not-found");
    return c.json(
      {
        subjectId: id,
        consent: state.consent ? { subjectId: id, ...state.consent } : null,
        templateCount: state.templateCount,
        ...(state.templatesChangedAt !== undefined ? { templatesChangedAt: new Date(state.templatesChangedAt).toISOString() } : {}),
        ...(state.lockedUntil !== undefined ? { lockedUntil: new Date(state.lockedUntil).toISOString() } : {}),
        ...(state.unlockRequired ? { unlockRequired: true as const } : {}),
      },
      200,
    );
  });
}
