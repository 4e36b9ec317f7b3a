import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertMayActOn, authenticate, requireScope } from "../auth/index.js";
import { requireEmbeddingModel } from "../config/models.js";
import { jsonBody } from "../http/json-body.js";
import { EnrollRequest, EnrollResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { refusalError, vaultFor } from "../vault/stub.js";
import { assertEnvelopeKeyHeld, openAttempt } from "./attempt.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "post",
  path: "/v1/subjects/{id}/templates",
  tags: ["subjects"],
  summary: "Enroll a face template from an HPKE-sealed embedding",
  description:
    "Needs consent. At most 5 templates; a new template must match the subject's existing ones " +
    "(a mismatch counts as a failed attempt towards the lockout).",
  security: bearerScopes(SCOPES.enroll),
  middleware: [authenticate, audited("enroll"), requireScope(SCOPES.enroll), jsonBody] as const,
  request: { params: SubjectParams, body: { required: true, content: jsonContent(EnrollRequest) } },
  responses: {
    201: { description: "Template stored (sealed)", content: jsonContent(EnrollResponse) },
    ...problemResponses(
      ...AUTH_PROBLEMS,
      ...BODY_PROBLEMS,
      "consent-required",
      "template-limit",
      "enrollment-mismatch",
      "subject-locked",
      "challenge-unknown",
      "challenge-expired",
      "challenge-used",
      "challenge-purpose",
      "envelope-key-unknown",
      "envelope-invalid",
      "model-unknown",
    ),
  },
});

export function registerEnroll(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    const model = requireEmbeddingModel(body.modelId);
    assertEnvelopeKeyHeld(c.env, body.envelope.kid);

    const who = { tenant: principal.tenant, subjectId: id };
    const vault = vaultFor(c.env, who.tenant, id);
    const begun = await vault.beginAttempt({ ...who, challengeId: body.challengeId, purpose: "enroll", modelId: model.id });
    const embedding = await openAttempt(c.env, begun, "enroll", { subjectId: id, ...body }, model);
    const done = await vault.completeEnroll({ ...who, challengeId: body.challengeId, modelId: model.id, embedding });
    if (!done.ok) throw refusalError(done);

    c.get("audit").outcome = "enrolled";
    return c.json({ templateId: done.templateId, templateCount: done.templateCount }, 201);
  });
}
