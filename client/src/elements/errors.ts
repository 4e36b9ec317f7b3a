import type { ProblemCode } from "../../../src/protocol/problems.js";
import { ApiError, FaceQualityError, LivenessError, ModelLoadError, NetworkError, PasskeyError, type ModelLoadErrorCode } from "../errors.js";
import type { QualityReason } from "../pipeline/types.js";

/**
 * The `code` of a `facegate-error` event: the SDK's typed codes (ApiError's
 * problem code, FaceQualityError's reason, LivenessError's reason,
 * ModelLoadError's code, PasskeyError's reason as `passkey-<reason>`)
 * plus what only an element meets: the camera and the consent gate.
 */
export type ElementErrorCode =
  | ProblemCode
  | QualityReason
  | LivenessError["reason"]
  | ModelLoadErrorCode
  | `passkey-${PasskeyError["reason"]}`
  | "camera-denied"
  | "camera-unavailable"
  | "camera-insecure-context"
  | "consent-required"
  | "subject-required"
  | "network"
  | "unknown";

export interface ElementErrorDetail {
  code: ElementErrorCode;
  /** Plain language, for the user. */
  message: string;
  error: unknown;
}

/** A camera failure, with what the user can do about it (getUserMedia's DOMException names, W3C Media Capture). */
export function cameraError(e: unknown): ElementErrorDetail {
  const name = (e as { name?: string } | null)?.name ?? "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return {
      code: "camera-denied",
      message:
        "Camera access was refused. Allow the camera for this site (the camera icon in the address bar, or the browser's site settings), then press Start again.",
      error: e,
    };
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return { code: "camera-unavailable", message: "No camera was found. Connect a camera, or use a device that has one.", error: e };
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return { code: "camera-unavailable", message: "The camera is in use by another application. Close it and press Start again.", error: e };
  }
  return { code: "camera-unavailable", message: `The camera could not start: ${(e as Error)?.message ?? String(e)}`, error: e };
}

const API_MESSAGES: Partial<Record<ProblemCode, string>> = {
  "not-enrolled": "There is no face enrolled for this username. Sign up first.",
  "consent-required": "Consent is required before enrolling.",
  "enrollment-mismatch": "This face does not match the face already enrolled for this username.",
  "template-limit": "This username already has the maximum number of enrolled faces.",
  "rate-limited": "Too many requests. Wait a minute and try again.",
  "step-up-required": "Adding another face needs you to sign in again first.",
  "liveness-failed": "The camera did not see what this sign-in asked for. Try again, in good light, facing the camera.",
  "device-required": "This sign-in also needs the passkey of the device you signed up on.",
  "device-invalid": "The passkey could not be checked. Try again on the device you signed up on.",
  "pipeline-not-calibrated": "This app's face-recognition component is out of date for this service. Update the app, then try again.",
};

/** Any error the SDK throws, as the event detail an app switches on. */
export function describeError(e: unknown): ElementErrorDetail {
  if (e instanceof FaceQualityError) return { code: e.reason, message: e.message, error: e };
  if (e instanceof ApiError) {
    if (e.code === "subject-locked") {
      const at = new Date(Date.now() + (e.retryAfter ?? 0) * 1000);
      return { code: e.code, message: `Too many failed attempts. Face sign-in is paused until ${at.toLocaleTimeString()}.`, error: e };
    }
    return { code: e.code, message: (e.code !== "unknown" && API_MESSAGES[e.code]) || (e.problem?.detail ?? e.message), error: e };
  }
  if (e instanceof LivenessError) {
    // Nothing was sent and no attempt was spent: the camera stays open for another try.
    return { code: e.reason, message: e.message, error: e };
  }
  if (e instanceof PasskeyError) {
    // Nothing was sent: the user can try again (cancelled) or needs the relying party's recovery (no-passkey).
    return { code: `passkey-${e.reason}`, message: e.message, error: e };
  }
  if (e instanceof ModelLoadError) return { code: e.code, message: `The face models could not load: ${e.message}`, error: e };
  if (e instanceof NetworkError) return { code: "network", message: "The face service cannot be reached. Check your connection and try again.", error: e };
  return { code: "unknown", message: (e as Error)?.message ?? String(e), error: e };
}
