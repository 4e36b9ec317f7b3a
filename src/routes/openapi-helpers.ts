import type { ZodType } from "zod";
import { PROBLEM_CONTENT_TYPE, PROBLEMS, type ProblemCode } from "../protocol/problems.js";
import { Problem } from "../protocol/schemas.js";
import type { Scope } from "../protocol/scopes.js";

/** Name of the bearer security scheme in openapi.json. */
export const BEARER = "bearerAuth";

/** OpenAPI 3.1 lets any scheme list required scopes (roles); we list the one a route needs. */
export function bearerScopes(...scopes: Scope[]) {
  return [{ [BEARER]: scopes }];
}

export function jsonContent<S extends ZodType>(schema: S) {
  return { "application/json": { schema } };
}

/** Problems every authenticated route can answer with. */
export const AUTH_PROBLEMS: ProblemCode[] = [
  "missing-token",
  "invalid-token",
  "insufficient-scope",
  "subject-mismatch",
  "rate-limited",
  "internal",
  "server-misconfigured",
];

/** Problems of every route that takes a JSON body. */
export const BODY_PROBLEMS: ProblemCode[] = ["invalid-request", "malformed-json", "unsupported-media-type", "payload-too-large"];

/** What an HPKE envelope bound to a challenge can be refused for (enroll and verify). */
export const ENVELOPE_PROBLEMS: ProblemCode[] = [
  "subject-locked",
  "challenge-unknown",
  "challenge-expired",
  "challenge-used",
  "challenge-purpose",
  "envelope-key-unknown",
  "envelope-invalid",
  "model-unknown",
  "pipeline-not-calibrated",
];

/**
 * Problem responses grouped by status, each naming its codes, all typed with
 * the shared Problem schema as `application/problem+json`.
 */
export function problemResponses(...codes: ProblemCode[]) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const { status } = PROBLEMS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, { description: string; content: Record<string, { schema: typeof Problem }> }> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[status] = {
      description: list.map((c) => `\`${c}\`: ${PROBLEMS[c].title}`).join("; "),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
    };
  }
  return out;
}
