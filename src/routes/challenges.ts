import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertClient, assertMayActOn, assertScope, authenticate } from "../auth/index.js";
import { currentEnvelopeKey } from "../crypto/envelope-keys.js";
import { jsonBody } from "../http/json-body.js";
import { limitCaller } from "../http/rate-limit.js";
import { b64uEncode } from "../protocol/base64url.js";
import { ChallengeRequest, ChallengeResponse } from "../protocol/schemas.js";
import { SCOPES } from "../protocol/scopes.js";
import { vaultFor } from "../vault/stub.js";
import { actorOf, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, BODY_PROBLEMS, bearerScopes, jsonContent, problemResponses } from "./openapi-helpers.js";

const route = createRoute({
  method: "post",
  path: "/v1/challenges",
  tags: ["attempts"],
  operationId: "issueChallenge",
  summary: "Issue a single-use challenge for one enroll or verify attempt",
  description:
    "Needs `face:enroll` for purpose `enroll` and `face:verify` for `verify`. The challenge is bound to the " +
    "tenant, subject and purpose, is consumed by the first attempt that presents it, and names the envelope key. " +
    "A verify challenge needs a token that names its relying party (`azp` or `client_id`).",
  security: [...bearerScopes(SCOPES.enroll), ...bearerScopes(SCOPES.verify)],
  middleware: [authenticate, limitCaller(), audited("challenge"), jsonBody] as const,
  request: { body: { required: true, content: jsonContent(ChallengeRequest) } },
  responses: {
    201: { description: "The challenge", content: jsonContent(ChallengeResponse) },
    ...problemResponses(...AUTH_PROBLEMS, ...BODY_PROBLEMS, "client-required"),
  },
});

export function registerChallenges(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { subjectId, purpose } = c.req.valid("json");
    const principal = c.get("principal");
    c.get("audit").subjectId = subjectId;
    assertScope(principal, purpose === "enroll" ? SCOPES.enroll : SCOPES.verify);
    assertMayActOn(principal, subjectId);
    if (purpose === "verify") assertClient(principal);
    const key = currentEnvelopeKey(c.env);
    const issued = await vaultCall(
      c,
      vaultFor(c.env, principal.tenant, subjectId).issueChallenge({
        tenant: principal.tenant,
        subjectId,
        actor: actorOf(c),
        purpose,
        kid: key.kid,
      }),
    );
    return c.json(
      {
        challengeId: issued.challengeId,
        nonce: issued.nonce,
        expiresAt: new Date(issued.expiresAt).toISOString(),
        envelopeKey: { kid: key.kid, publicKey: b64uEncode(key.publicKey) },
      },
      201,
    );
  });
}
