import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertMayActOn, authenticate, requireScope } from "../auth/index.js";
import { jsonBody } from "../http/json-body.js";
import { limitCaller } from "../http/rate-limit.js";
import { ConsentRecord, ConsentRequest } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { vaultFor } from "../vault/address.js";
import { actorOf, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "put",
  path: "/v1/subjects/{id}/consent",
  tags: ["subjects"],
  operationId: "grantConsent",
  summary: "Record the subject's consent to face verification",
  description: "Replaces any earlier consent. `retainUntil` is the grant time plus the retention period.",
  security: bearerScopes(SCOPES.enroll),
  middleware: [authenticate, limitCaller(), audited("consent"), requireScope(SCOPES.enroll), jsonBody] as const,
  request: {
    params: SubjectParams,
    body: { required: true, content: jsonContent(ConsentRequest) },
  },
  responses: {
    200: { description: "The consent record", content: jsonContent(ConsentRecord) },
    ...problemResponses(...AUTH_PROBLEMS, ...BODY_PROBLEMS),
  },
});

export function registerConsent(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    const record = await vaultCall(
      c,
      vaultFor(c.env, principal.tenant, id).grantConsent({
        tenant: principal.tenant,
        subjectId: id,
        actor: actorOf(c),
        policyVersion: body.policyVersion,
        purposes: body.purposes,
      }),
    );
    return c.json({ subjectId: id, ...record }, 200);
  });
}
