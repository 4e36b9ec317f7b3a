import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context.js";
import { audited } from "../audit/middleware.js";
import { assertMayActOn, authenticate, requireScope } from "../auth/index.js";
import { limitCaller } from "../http/rate-limit.js";
import { SCOPES } from "../protocol/scopes.js";
import { vaultFor } from "../vault/address.js";
import { actorOf, vaultCall } from "./vault-call.js";
import { AUTH_PROBLEMS, bearerScopes, problemResponses } from "./openapi-helpers.js";
import { SubjectParams } from "./params.js";

const route = createRoute({
  method: "delete",
  path: "/v1/subjects/{id}",
  tags: ["subjects"],
  operationId: "eraseSubject",
  summary: "Erase a subject: subject key, templates, consent, challenges and counters",
  description:
    "The subject key, templates, consent, challenges and counters are destroyed in one transaction with the " +
    "audit record, and the subject's audit rows are pseudonymised. Copies in the platform's backups cannot be " +
    "opened once their key epoch is destroyed (the bound is in docs/SECURITY.md). Idempotent.",
  security: bearerScopes(SCOPES.delete),
  middleware: [authenticate, limitCaller(), audited("delete"), requireScope(SCOPES.delete)] as const,
  request: { params: SubjectParams },
  responses: {
    204: { description: "Erased (or nothing was held)" },
    ...problemResponses(...AUTH_PROBLEMS, "invalid-request"),
  },
});

export function registerSubjectDelete(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const principal = c.get("principal");
    assertMayActOn(principal, id);
    // The vault records the delete (or "nothing held") in the same transaction as the erase.
    await vaultCall(c, vaultFor(c.env, principal.tenant, id).erase({ tenant: principal.tenant, subjectId: id, actor: actorOf(c) }));
    return c.body(null, 204);
  });
}
