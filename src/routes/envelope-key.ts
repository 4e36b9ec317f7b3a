import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { currentEnvelopeKey } from "../crypto/envelope-keys.js";
import { b64uEncode } from "../protocol/base64url.js";
import { ENVELOPE_SUITE } from "../protocol/envelope.js";
import { EnvelopeKey } from "../protocol/schemas.js";
import { jsonContent, problemResponses } from "./openapi-helpers.js";

const route = createRoute({
  method: "get",
  path: "/v1/keys/envelope",
  operationId: "getEnvelopeKey",
  // Public: no token (an empty requirement list overrides none; OpenAPI 3.1, 4.8.10).
  security: [],
  tags: ["keys"],
  summary: "The current HPKE key that embedding envelopes are sealed to",
  responses: {
    200: { description: "Raw X25519 public key and the HPKE suite", content: jsonContent(EnvelopeKey) },
    ...problemResponses("rate-limited", "internal", "server-misconfigured"),
  },
});

export function registerEnvelopeKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, (c) => {
    const key = currentEnvelopeKey(c.env);
    // Every challenge names its key anyway; this is for clients that want it up front.
    return c.json({ kid: key.kid, suite: ENVELOPE_SUITE, publicKey: b64uEncode(key.publicKey) }, 200, {
      "Cache-Control": "public, max-age=300",
    });
  });
}
