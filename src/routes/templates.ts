import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertMayActOn, authenticate, requireScope } from "../auth/index.js";
import { limitCaller } from "../http/rate-limit.js";
import { TemplateId, TemplateList } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { vaultFor } from "../vault/address.js";
import { actorOf, refusalError, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

/**
 * The subject's template set, for the relying party to show its user: which
 * templates exist, since when, for which model, which is the anchor. Never a
 * vector. One template at a time can be removed, except the anchor, which
 * goes only with the subject (DELETE /v1/subjects/{id}).
 */
const listRoute = createRoute({
  method: "get",
  path: "/v1/subjects/{id}/templates",
  tags: ["subjects"],
  operationId: "listTemplates",
  summary: "List the subject's templates (ids, times, models; never biometric data)",
  security: bearerScopes(SCOPES.read),
  middleware: [authenticate, limitCaller(), audited("read"), requireScope(SCOPES.read)] as const,
  request: { params: SubjectParams },
  responses: {
    200: { description: "The templates, oldest first", content: jsonContent(TemplateList) },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/subjects/{id}/templates/{templateId}",
  tags: ["subjects"],
  operationId: "deleteTemplate",
  summary: "Delete one template (not the anchor)",
  description: "The anchor (the first template) anchors every decision and goes only with the subject: 409 `anchor-template`.",
  security: bearerScopes(SCOPES.delete),
  middleware: [authenticate, limitCaller(), audited("template-delete"), requireScope(SCOPES.delete)] as const,
  request: { params: SubjectParams.extend({ templateId: TemplateId }) },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request", "template-not-found", "anchor-template"),
  },
});

export function registerTemplates(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    const list = await vaultCall(c, vaultFor(c.env, principal.tenant, id).listTemplates({ tenant: principal.tenant, subjectId: id, actor: actorOf(c) }));
    return c.json(
      {
        subjectId: id,
        templates: list.map((t) => ({ ...t, createdAt: new Date(t.createdAt).toISOString() })),
      } satisfies z.input<typeof TemplateList>,
      200,
    );
  });

  app.openapi(deleteRoute, async (c) => {
    const { id, templateId } = c.req.valid("param");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    const done = await vaultCall(
      c,
      vaultFor(c.env, principal.tenant, id).deleteTemplate({ tenant: principal.tenant, subjectId: id, actor: actorOf(c), templateId }),
    );
    if (!done.ok) throw refusalError(done);
    return c.body(null, 204);
  });
}
