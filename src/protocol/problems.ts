/**
 * The problem catalogue (RFC 9457). Every error the API returns is one of
 * these; `type` is stable and is what clients switch on (the SDK maps each to
 * a typed error). docs/API.md is generated from the same list by a test that
 * fails when the two drift.
 */
export const PROBLEM_TYPE_PREFIX = "urn:facegate:problem:";

export const PROBLEMS = {
  // Request shape
  "invalid-request": { status: 400, title: "The request does not match the API schema" },
  "malformed-json": { status: 400, title: "The request body is not valid JSON" },
  "unsupported-media-type": { status: 415, title: "Request bodies must be application/json" },
  "payload-too-large": { status: 413, title: "The request body is too large" },
  "not-found": { status: 404, title: "No such endpoint" },
  "method-not-allowed": { status: 405, title: "Method not allowed on this endpoint" },
  // Access
  "missing-token": { status: 401, title: "A bearer token is required" },
  "invalid-token": { status: 401, title: "The bearer token is not valid" },
  "insufficient-scope": { status: 403, title: "The token lacks a scope this operation needs" },
  "subject-mismatch": { status: 403, title: "The token may not act on this subject" },
  "step-up-required": { status: 401, title: "This operation needs a recent strong authentication at the relying party" },
  "client-required": { status: 403, title: "The token does not name the relying party (azp or client_id) an assertion would be for" },
  "rate-limited": { status: 429, title: "Too many requests; try again later" },
  // Subject state
  "consent-required": { status: 403, title: "The subject has not consented to face verification" },
  "subject-not-found": { status: 404, title: "No such subject" },
  "not-enrolled": { status: 404, title: "The subject has no enrolled face template" },
  "template-limit": { status: 409, title: "The subject already has the maximum number of templates" },
  "template-not-found": { status: 404, title: "No such template" },
  "anchor-template": { status: 409, title: "The first template anchors the subject's face and goes only with the subject" },
  "enrollment-mismatch": { status: 422, title: "The new template does not match the subject's enrolled face" },
  "device-required": { status: 403, title: "This tenant requires a passkey of the subject's device beside the face" },
  "device-invalid": { status: 403, title: "The passkey assertion or registration did not verify" },
  "liveness-failed": { status: 422, title: "The capture did not show what the challenge asked (liveness)" },
  "subject-locked": { status: 429, title: "Too many failed attempts; the subject is locked" },
  // Challenges and envelopes
  "challenge-unknown": { status: 400, title: "No such challenge for this subject" },
  "challenge-expired": { status: 400, title: "The challenge has expired" },
  "challenge-used": { status: 409, title: "The challenge has already been used" },
  "challenge-purpose": { status: 400, title: "The challenge was issued for another purpose" },
  "envelope-key-unknown": { status: 400, title: "The envelope names a key this server does not hold" },
  "envelope-invalid": { status: 400, title: "The envelope could not be opened" },
  "model-unknown": { status: 400, title: "The model id is not in the model manifest" },
  "pipeline-not-calibrated": { status: 422, title: "The embedding's pipeline version is not one this model's thresholds were calibrated on" },
  // Server side (never caused by client input)
  "server-misconfigured": { status: 500, title: "The service is misconfigured" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_PREFIX + code;
}

/** Parses a `type` back to its code, or null for a type this version does not know. */
export function problemCodeOf(type: string): ProblemCode | null {
  if (!type.startsWith(PROBLEM_TYPE_PREFIX)) return null;
  const code = type.slice(PROBLEM_TYPE_PREFIX.length);
  return Object.hasOwn(PROBLEMS, code) ? (code as ProblemCode) : null;
}

/** The JSON body of an error response (`application/problem+json`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The short form of `type`, for switch statements. */
  code: ProblemCode;
  /** Extension members, e.g. `retryAfter`, `attemptsRemaining`, `errors`. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
