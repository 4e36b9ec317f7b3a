import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertClient, authenticate, requireScope } from "../auth/index.js";
import { policyOf } from "../config/policy.js";
import { signAssertion } from "../crypto/assertion.js";
import { jsonBody } from "../http/json-body.js";
import { limitCaller } from "../http/rate-limit.js";
import { VerifyRequest, VerifyResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { envelopeAttempt, refusalError, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, ENVELOPE_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "post",
  path: "/v1/subjects/{id}/verify",
  tags: ["subjects"],
  operationId: "verifyFace",
  summary: "Verify a face against the subject's anchor template",
  description:
    "Cosine similarity to the subject's anchor (its first template) against the manifest's operating " +
    "threshold; a probe that is a copy of stored data is refused as a replay (answered as no match). On a " +
    "match the response carries an EdDSA assertion (JWT) addressed to the token's `azp`; it never carries a " +
    "score. The token must name its relying party (`azp` or `client_id`). Failed attempts count towards the lockout.",
  security: bearerScopes(SCOPES.verify),
  middleware: [authenticate, limitCaller(), audited("verify"), requireScope(SCOPES.verify), jsonBody] as const,
  request: { params: SubjectParams, body: { required: true, content: jsonContent(VerifyRequest) } },
  responses: {
    200: { description: "Match or no match", content: jsonContent(VerifyResponse) },
    ...problemResponses(
      ...AUTH_PROBLEMS,
      ...BODY_PROBLEMS,
      "client-required",
      "device-required",
      "device-invalid",
      "not-enrolled",
      "liveness-failed",
      ...ENVELOPE_PROBLEMS,
    ),
  },
});

export function registerVerify(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { principal, model, input, vault } = envelopeAttempt(c, id, body);
    const policy = policyOf(c.env);
    // Refused before the vault: the challenge stays usable once the caller sends a token that names its RP.
    const audience = assertClient(principal);

    // One RPC: the vault checks the challenge, opens the envelope, scores and
    // records the outcome with its audit row (see SubjectVault).
    const done = await vaultCall(c, vault.verify(input));
    if (!done.ok) throw refusalError(done);
    if (!done.match) return c.json({ match: false, attemptsRemaining: done.attemptsRemaining }, 200);
    const assertion = await signAssertion(c.env, {
      issuer: c.env.ASSERTION_ISSUER,
      audience,
      subject: id,
      tenant: principal.tenant,
      modelId: model.id,
      authTime: Math.floor(done.authTime / 1000),
      ttlSeconds: policy.assertionTtlSeconds,
      liveness: done.liveness?.level ?? "off",
      device: done.device,
      ...(body.loginNonce !== undefined ? { nonce: body.loginNonce } : {}),
    });
    return c.json({ match: true, assertion, attemptsRemaining: done.attemptsRemaining }, 200);
  });
}
