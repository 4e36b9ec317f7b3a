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
 * photo), `pad-not-loaded` (the tenant requires passive PAD and no PAD
 * model could be loaded: the models' manifest has no PAD block).
 * For `action-not-shown`, `details` has the `action`, the frames `analysed`
 * and `longestGapMs` between two of them: above 1000 the device analysed too
 * slowly for the rule (no gap over 1 s), not the user.
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

/**
 * Why `loadModels()` failed; every failure of it is a ModelLoadError with one of these.
 * - `manifest-unreachable`: manifest.json could not be fetched at all (offline, DNS, CORS:
 *   a models host on another origin must send `Access-Control-Allow-Origin`, docs/API.md "Models");
 * - `manifest-not-found`: the host answered with an HTTP error (a 404 usually means the SDK
 *   and the worker ship different models: pass `modelsBaseUrl`, or update one of them);
 * - `manifest-invalid`: not JSON, or not the schema, or a model it needs is missing from it;
 * - `manifest-mismatch`: its sha256 is not the one the SDK expects for this path;
 * - `model-unreachable`: a model file could not be fetched or read;
 * - `model-integrity`: a model file does not match its manifest sha256;
 * - `runtime-unavailable`: ONNX Runtime itself could not load (its .wasm: set `wasmPaths`,
 *   and with Vite's dev server exclude onnxruntime-web from optimizeDeps, README "Bundlers");
 * - `webgpu-unavailable`: WebGPU was required (`executionProviders: "webgpu"`) and is not there;
 * - `session-failed`: ONNX Runtime refused a model (unsupported operator, out of memory).
 */
export type ModelLoadErrorCode =
  | "manifest-unreachable"
  | "manifest-not-found"
  | "manifest-invalid"
  | "manifest-mismatch"
  | "model-unreachable"
  | "model-integrity"
  | "runtime-unavailable"
  | "webgpu-unavailable"
  | "session-failed";

/** The models or ONNX Runtime failed to load; `code` says which step (ModelLoadErrorCode). */
export class ModelLoadError extends FacegateError {
  override name = "ModelLoadError";
  readonly code: ModelLoadErrorCode;
  constructor(
    /** The model id, or `manifest` / `runtime` when no one model is at fault. */
    readonly model: string,
    message: string,
    options?: { cause?: unknown; code?: ModelLoadErrorCode },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? "manifest-invalid";
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

/**
 * A passkey the challenge asked for could not be given, so nothing was sent
 * (no attempt was spent). Only under a tenant's `device: required` policy; an
 * optional one goes on with the face alone. `unsupported` (no WebAuthn here),
 * `cancelled` (the prompt was dismissed or timed out: try again), `failed`
 * (the authenticator refused), `no-passkey` (the subject has none: the relying
 * party's recovery, docs/SECURITY.md "Device binding").
 */
export class PasskeyError extends FacegateError {
  override name = "PasskeyError";
  constructor(
    readonly reason: "unsupported" | "cancelled" | "failed" | "no-passkey",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server could not be reached or answered something that is not the API. */
export class NetworkError extends FacegateError {
  override name = "NetworkError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
