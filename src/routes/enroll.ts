import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { authenticate, requireScope } from "../auth/index.js";
import { jsonBody } from "../http/json-body.js";
import { EnrollRequest, EnrollResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { refusalError } from "../vault/stub.js";
import { envelopeAttempt, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, ENVELOPE_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
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
      ...ENVELOPE_PROBLEMS,
    ),
  },
});

export function registerEnroll(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { input, vault } = envelopeAttempt(c, id, body);

    // One RPC: the vault checks the challenge, opens the envelope and stores
    // the sealed template with its audit row (see SubjectVault).
    const done = await vaultCall(c, vault.enroll(input));
    if (!done.ok) throw refusalError(done);
    return c.json({ templateId: done.templateId, templateCount: done.templateCount }, 201);
  });
}
