import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { authenticate, requireScope, stepUpSatisfied } from "../auth/index.js";
import { tenantPolicy } from "../config/tenants.js";
import { ProblemError } from "../errors/problem-error.js";
import { jsonBody } from "../http/json-body.js";
import { limitCaller } from "../http/rate-limit.js";
import { EnrollRequest, EnrollResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { envelopeAttempt, refusalError, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, ENVELOPE_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "post",
  path: "/v1/subjects/{id}/templates",
  tags: ["subjects"],
  operationId: "enrollTemplate",
  summary: "Enroll a face template from an HPKE-sealed embedding",
  description:
    "Needs consent. The first template becomes the subject's anchor. A further one (at most 5 in all) needs " +
    "a recent strong authentication at the relying party (the token's `auth_time` and `acr`, per the tenant's " +
    "policy; else 401 `step-up-required`) and must match the anchor at the stricter FMR 1e-5 threshold " +
    "(a mismatch counts as a failed attempt towards the lockout).",
  security: bearerScopes(SCOPES.enroll),
  middleware: [authenticate, limitCaller(), audited("enroll"), requireScope(SCOPES.enroll), jsonBody] as const,
  request: { params: SubjectParams, body: { required: true, content: jsonContent(EnrollRequest) } },
  responses: {
    201: { description: "Template stored (sealed)", content: jsonContent(EnrollResponse) },
    ...problemResponses(
      ...AUTH_PROBLEMS,
      ...BODY_PROBLEMS,
      "consent-required",
      "template-limit",
      "step-up-required",
      "device-required",
      "device-invalid",
      "enrollment-mismatch",
      ...ENVELOPE_PROBLEMS,
    ),
  },
});

export function registerEnroll(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { principal, input, vault } = envelopeAttempt(c, id, body);
    const { addTemplate } = tenantPolicy(c.env, principal.tenant);
    input.stepUp = stepUpSatisfied(principal, addTemplate, Math.floor(Date.now() / 1000));

    // One RPC: the vault checks the challenge, opens the envelope and stores
    // the sealed template with its audit row (see SubjectVault).
    const done = await vaultCall(c, vault.enroll(input));
    if (!done.ok) {
      if (done.code === "step-up-required") {
        throw new ProblemError(
          "step-up-required",
          `Adding a template needs the user's strong authentication within the last ${addTemplate.maxAuthAgeSeconds} s ` +
            "(the access token's auth_time and acr).",
          { acrValues: addTemplate.acr, maxAge: addTemplate.maxAuthAgeSeconds },
        );
      }
      throw refusalError(done);
    }
    return c.json({ templateId: done.templateId, templateCount: done.templateCount, anchor: done.anchor }, 201);
  });
}
