import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { embeddingModelIds } from "../config/models.js";
import { Health } from "../protocol/schemas.js";
import { SERVICE_VERSION } from "../protocol/version.js";
import { jsonContent, problemResponses } from "./openapi-helpers.js";

const route = createRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  // Public: no token (an empty requirement list overrides none; OpenAPI 3.1, 4.8.10).
  security: [],
  tags: ["service"],
  summary: "Liveness, service version and the embedding models accepted",
  responses: {
    200: { description: "The service is up", content: jsonContent(Health) },
    ...problemResponses("rate-limited", "internal", "server-misconfigured"),
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, (c) => c.json({ status: "ok" as const, version: SERVICE_VERSION, models: embeddingModelIds() }, 200));
}
