import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { embeddingModelIds } from "../config/models.js";
import { Health } from "../protocol/schemas.js";
import { SERVICE_VERSION } from "../protocol/version.js";
import { jsonContent, problemResponses } from "./openapi-helpers.js";

const route = createRoute({
  method: "get",
  path: "/v1/health",
  tags: ["service"],
  summary: "Liveness, service version and the embedding models accepted",
  responses: {
    200: { description: "The service is up", content: jsonContent(Health) },
    ...problemResponses("internal", "server-misconfigured"),
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, (c) => c.json({ status: "ok" as const, version: SERVICE_VERSION, models: embeddingModelIds() }, 200));
}
