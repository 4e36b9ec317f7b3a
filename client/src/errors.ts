import type { ProblemCode, ProblemDetails } from "../../src/protocol/problems.js";
import type { QualityReason } from "./pipeline/types.js";

/** Base class of every error the SDK throws on purpose. */
export class FacegateError extends Error {
  override name = "FacegateError";
}

/**
 * The image was refused on the device, before anything was sent: no usable
 * face, or one too small, blurred, dark, bright, turned away, or (when the
 * advisory liveness gate is on) judged not live. `reason` is stable.
 */
export class FaceQualityError extends FacegateError {
  override name = "FaceQualityError";
  constructor(
    readonly reason: QualityReason,
    message: string,
    readonly details: Record<string, number | string> = {},
  ) {
    super(message);
  }
}

/** A model file failed to load or did not match its manifest sha256. */
export class ModelLoadError extends FacegateError {
  override name = "ModelLoadError";
  constructor(
    readonly model: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The API answered with a problem (RFC 9457). `code` is the stable problem
 * code (see docs/API.md); `problem` is the whole body. Extension members such
 * as `attemptsRemaining` and `retryAfter` are in `problem`.
 */
export class ApiError extends FacegateError {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ProblemCode | "unknown",
    readonly problem: ProblemDetails | null,
    message: string,
  ) {
    super(message);
  }

  /** Seconds until a locked subject may try again (429), if the server said. */
  get retryAfter(): number | undefined {
    const v = this.problem?.["retryAfter"];
    return typeof v === "number" ? v : undefined;
  }
}

/** The server could not be reached or answered something that is not the API. */
export class NetworkError extends FacegateError {
  override name = "NetworkError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
