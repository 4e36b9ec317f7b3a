import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { assertionJwks } from "../crypto/assertion.js";
import { Jwks } from "../protocol/schemas.js";
import { jsonContent, problemResponses } from "./openapi-helpers.js";

const route = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  operationId: "getJwks",
  // Public: no token (an empty requirement list overrides none; OpenAPI 3.1, 4.8.10).
  security: [],
  tags: ["keys"],
  summary: "Public keys that verify face assertions (EdDSA, by kid)",
  responses: {
    200: { description: "JWK Set (RFC 7517)", content: jsonContent(Jwks) },
    ...problemResponses("internal", "server-misconfigured"),
  },
});

export function registerJwks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, (c) => {
    // Relying parties may cache; rotation keeps a retired key published longer than this.
    return c.json(assertionJwks(c.env), 200, { "Cache-Control": "public, max-age=300" });
  });
}
