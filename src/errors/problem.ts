import { PROBLEM_CONTENT_TYPE, PROBLEMS, problemType, type ProblemDetails } from "../protocol/problems.js";
import type { ProblemError } from "./problem-error.js";

/** The realm every WWW-Authenticate challenge names (RFC 6750 §3). */
export const AUTH_REALM = "facegate";

/** `instance` of a problem: the request id as a URN, so a report can be matched to server logs. */
export function problemInstance(requestId: string): string {
  return `urn:uuid:${requestId}`;
}

/**
 * Maps an ProblemError to its RFC 9457 response. Extension members come first so
 * they can never overwrite the standard members.
 */
export function problemResponse(err: ProblemError, requestId: string): Response {
  const body: ProblemDetails = {
    ...err.extensions,
    type: problemType(err.code),
    title: PROBLEMS[err.code].title,
    status: err.status,
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    instance: problemInstance(requestId),
    code: err.code,
  };
  const headers = new Headers({
    "Content-Type": PROBLEM_CONTENT_TYPE,
    "Cache-Control": "no-store",
    ...err.headers,
  });
  for (const [name, value] of challengeHeaders(err)) headers.set(name, value);
  return new Response(JSON.stringify(body), { status: err.status, headers });
}

/** Headers a client needs to react to the problem without parsing the body. */
function challengeHeaders(err: ProblemError): [string, string][] {
  switch (err.code) {
    case "missing-token":
      return [["WWW-Authenticate", `Bearer realm="${AUTH_REALM}"`]];
    case "invalid-token":
      return [["WWW-Authenticate", `Bearer realm="${AUTH_REALM}", error="invalid_token"`]];
    case "insufficient-scope": {
      const scope = err.extensions["requiredScope"];
      const scopePart = typeof scope === "string" ? `, scope="${scope}"` : "";
      return [["WWW-Authenticate", `Bearer realm="${AUTH_REALM}", error="insufficient_scope"${scopePart}`]];
    }
    case "step-up-required": {
      // RFC 9470 §3: what the relying party must obtain from its user (acr_values, max_age).
      const acr = err.extensions["acrValues"];
      const maxAge = err.extensions["maxAge"];
      const parts = [`Bearer realm="${AUTH_REALM}"`, `error="insufficient_user_authentication"`];
      if (Array.isArray(acr)) parts.push(`acr_values="${acr.join(" ")}"`);
      if (typeof maxAge === "number") parts.push(`max_age=${maxAge}`);
      return [["WWW-Authenticate", parts.join(", ")]];
    }
    case "subject-locked":
    case "rate-limited": {
      const retryAfter = err.extensions["retryAfter"];
      return typeof retryAfter === "number" ? [["Retry-After", String(retryAfter)]] : [];
    }
    default:
      return [];
  }
}
