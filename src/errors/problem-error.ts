import { PROBLEMS, type ProblemCode } from "../protocol/problems.js";

/**
 * The one error type of the API. Anything that should reach the client as a
 * problem is thrown (or returned by the vault and rethrown) as a ProblemError (the SDK turns the problem back into its own ApiError);
 * problem.ts maps it to `application/problem+json` in one place. Everything
 * else that escapes a handler is a bug and becomes a bare 500 `internal`.
 */
export class ProblemError extends Error {
  override name = "ProblemError";
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    /** Human-readable, safe to show: never a secret, token, score or stack. */
    readonly detail?: string,
    /** RFC 9457 extension members (e.g. `errors`, `retryAfter`, `attemptsRemaining`). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Extra response headers (e.g. `Allow` on a 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.status = PROBLEMS[code].status;
  }
}
