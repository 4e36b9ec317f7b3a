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
import { tenantPolicy, type LivenessPolicy } from "../config/tenants.js";
import { strongerLevel, type LivenessLevel } from "../protocol/liveness.js";
import type { ChallengeLiveness } from "../vault/challenges.js";
import { authenticationOptions, registrationOptions } from "../crypto/webauthn.js";
import type { DevicePolicy } from "../config/tenants.js";
import type { IssuedChallenge } from "../vault/types.js";
import { vaultFor } from "../vault/address.js";
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
    "A verify challenge needs a token that names its relying party (`azp` or `client_id`). It carries the " +
    "liveness the verify must show: the tenant's policy, or more if the request asks for it; for `active`, an " +
    "action picked at random.",
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
    const { subjectId, purpose, liveness: asked } = c.req.valid("json");
    const principal = c.get("principal");
    c.get("audit").subjectId = subjectId;
    assertScope(principal, purpose === "enroll" ? SCOPES.enroll : SCOPES.verify);
    assertMayActOn(principal, subjectId);
    if (purpose === "verify") assertClient(principal);
    const key = currentEnvelopeKey(c.env);
    const tenant = tenantPolicy(c.env, principal.tenant);
    const liveness = purpose === "verify" ? challengeLiveness(tenant.liveness, asked ?? "off") : null;
    const issued = await vaultCall(
      c,
      vaultFor(c.env, principal.tenant, subjectId).issueChallenge({
        tenant: principal.tenant,
        subjectId,
        actor: actorOf(c),
        purpose,
        kid: key.kid,
        liveness,
      }),
    );
    return c.json(
      {
        challengeId: issued.challengeId,
        nonce: issued.nonce,
        expiresAt: new Date(issued.expiresAt).toISOString(),
        envelopeKey: { kid: key.kid, publicKey: b64uEncode(key.publicKey) },
        ...(issued.liveness ? { liveness: issued.liveness } : {}),
        ...(await webauthnOptions(tenant.device, { tenant: principal.tenant, subjectId }, purpose, issued)),
      },
      201,
    );
  });
}

/** The tenant's level or the requested one, whichever is stronger; an active challenge gets a random action of the tenant's. */
function challengeLiveness(policy: LivenessPolicy, asked: LivenessLevel): ChallengeLiveness | null {
  const level = strongerLevel(policy.level, asked);
  if (level === "off") return null;
  if (level === "passive") return { level };
  const pick = crypto.getRandomValues(new Uint32Array(1))[0]! % policy.actions.length;
  return { level, action: policy.actions[pick]! };
}

/**
 * The passkey ceremony for this attempt when the tenant's device policy is on
 * (and an RP ID is configured): registration options for an enroll,
 * assertion options over the subject's own passkeys for a verify, both with
 * the challenge's nonce as the WebAuthn challenge.
 */
async function webauthnOptions(device: DevicePolicy, who: { tenant: string; subjectId: string }, purpose: "enroll" | "verify", issued: IssuedChallenge) {
  if (device.mode === "off" || !device.rpId) return {};
  const required = device.mode === "required";
  if (purpose === "enroll") return { webauthn: { registration: await registrationOptions(device, who, issued.nonce, issued.credentials), required } };
  if (issued.credentials.length === 0) return { webauthn: { required } };
  return { webauthn: { authentication: await authenticationOptions(device, issued.nonce, issued.credentials), required } };
}
