import type { ProblemCode, ProblemDetails } from "../../src/protocol/problems.js";
import type { PadResult, QualityReason } from "./pipeline/types.js";

/** Base class of every error the SDK throws on purpose. */
export class FacegateError extends Error {
  override name = "FacegateError";
}

/**
 * The image was refused on the device, before anything was sent: no usable
 * face, or one too small, blurred, dark, bright, turned away, or (when
 * presentation-attack detection refuses, see PresentationAttackError)
 * judged an attack. `reason` is stable.
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

/**
 * Passive presentation-attack detection judged the capture an attack (a
 * printed photo or a screen in front of the camera) at the manifest's
 * operating point, and the caller asked to refuse (`pad: "refuse"`). A
 * FaceQualityError with reason `presentation-attack`, so code that handles
 * refusals handles this one; `pad` carries the decision and its score. It
 * is a sanity check, not a certified PAD: docs/PAD.md says what it stops.
 */
export class PresentationAttackError extends FaceQualityError {
  override name = "PresentationAttackError";
  constructor(
    readonly pad: PadResult,
    message = "This does not look like a live face in front of the camera: hold the device at arm's length, facing it, in good light.",
  ) {
    super("presentation-attack", message, { score: Math.round(pad.score * 1000) / 1000, threshold: pad.threshold, frames: pad.frames });
  }
}

/**
 * A liveness challenge could not be met on the device, so nothing was sent
 * (no attempt was spent): `action-not-shown` (the camera did not see the
 * requested blink or turn in time: show `message` and try again),
 * `needs-video` (an active challenge needs a live camera source, not a
 * photo), `pad-not-loaded` (the tenant requires passive PAD: create the
 * client with `pad: "report"`).
 */
export class LivenessError extends FacegateError {
  override name = "LivenessError";
  constructor(
    readonly reason: "action-not-shown" | "needs-video" | "pad-not-loaded",
    message: string,
    readonly details: Record<string, unknown> = {},
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
