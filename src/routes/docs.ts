import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { PROBLEM_TYPE_PREFIX } from "../protocol/problems.js";
import { SERVICE_VERSION } from "../protocol/version.js";
import { BEARER } from "./openapi-helpers.js";
import { renderDocs } from "./docs-html.js";

/** GET /openapi.json (generated from the route schemas) and GET /docs (that document as HTML). */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A JWT from the configured issuer (EdDSA, ES256 or RS256) with `iss`, `aud`, `exp`, `iat` (at most an hour old), " +
      "`sub`, a space-separated `scope`, an optional `tenant`, and `azp` (or `client_id`) naming the relying party. " +
      "A token acts on subject S only if `sub` is S; `face:admin` grants the operator endpoints, not impersonation.",
  });

  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const getDocument = () =>
    (document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      // Relative: the worker that serves this document is the server (OpenAPI 3.1, 4.8.5).
      servers: [{ url: "/", description: "The facegate worker serving this document" }],
      info: {
        title: "facegate API",
        version: SERVICE_VERSION,
        license: { name: "MIT", url: "https://opensource.org/license/mit" },
        description:
          "Privacy-preserving face verification. Clients send HPKE-sealed embeddings, never images. " +
          `Errors are application/problem+json (RFC 9457) with a stable \`type\` (${PROBLEM_TYPE_PREFIX}<code>) and \`code\`.`,
      },
      tags: [
        { name: "service", description: "Service status" },
        { name: "keys", description: "Public keys" },
        { name: "attempts", description: "Challenges for enroll and verify attempts" },
        { name: "subjects", description: "Consent, templates, verification and erasure" },
        { name: "admin", description: "Operators (face:admin): key maintenance and consistency checks" },
      ],
    }));

  app.get("/openapi.json", (c) => c.json(getDocument(), 200, { "Cache-Control": "public, max-age=300" }));
  app.get("/docs", (c) =>
    c.html(renderDocs(getDocument()), 200, {
      "Cache-Control": "public, max-age=300",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    }),
  );
}
