import type { MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../context.js";
import { ProblemError } from "../errors/problem-error.js";
import type { Scope } from "../protocol/scopes.js";
import { verifyBearer } from "./verify-token.js";

/**
 * `Authorization: Bearer <JWT>` (RFC 6750). No credentials, or another scheme,
 * is 401 `missing-token`; a bearer that does not verify is 401 `invalid-token`.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Authorization");
  const match = header === undefined ? null : /^Bearer(?:[ ]+(.*))?$/i.exec(header);
  if (!match) throw new ProblemError("missing-token");
  const token = (match[1] ?? "").trim();
  if (token === "") throw new ProblemError("invalid-token", "The token could not be verified.");
  c.set("principal", await verifyBearer(c.env, token));
  await next();
};

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertScope(c.get("principal"), scope);
    await next();
  };
}

export function assertScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) {
    throw new ProblemError("insufficient-scope", `This operation needs the scope ${scope}.`, { requiredScope: scope });
  }
}

/** A token acts on its own subject only (face:admin grants the operator endpoints, not impersonation). */
export function assertMayActOn(principal: Principal, subjectId: string): void {
  if (principal.sub !== subjectId) {
    throw new ProblemError("subject-mismatch", "The token may not act on this subject.");
  }
}

/** The relying party a verify's assertion is addressed to (`azp` / `client_id`); there is no default audience. */
export function assertClient(principal: Principal): string {
  if (principal.clientId === undefined) {
    throw new ProblemError("client-required", "A verify token must carry azp (or client_id): the assertion is addressed to it.");
  }
  return principal.clientId;
}
