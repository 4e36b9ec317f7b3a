import type { QualityReason } from "./pipeline/types.js";

/**
 * What to tell the user during a capture, one stable `code` per situation
 * and a plain-language `message` (English; map `code` to your own strings to
 * translate). Quality codes come from the on-device quality gates
 * (pipeline/quality.ts); `capturing` and `sending` from enroll/verify;
 * `action` (its message says which: "blink slowly"...) and `action-seen`
 * from an active liveness challenge; `passkey-create` and `passkey-use` when
 * the tenant's device policy asks for a passkey, `passkey-skipped` when an
 * optional one could not be given.
 */
export type GuidanceCode =
  | QualityReason
  | "ok"
  | "loading"
  | "starting-camera"
  | "capturing"
  | "action"
  | "action-seen"
  | "passkey-create"
  | "passkey-use"
  | "passkey-skipped"
  | "sending"
  | "done";

export interface Guidance {
  code: GuidanceCode;
  message: string;
  /** True when the face is usable as it is now (the action may proceed). */
  ready: boolean;
}

// Quality codes carry the quality gate's own message (FaceQualityError.message, pipeline/quality.ts).
const STEPS: Partial<Record<GuidanceCode, string>> = {
  ok: "Face OK: hold still.",
  loading: "Loading face models…",
  "starting-camera": "Starting the camera…",
  capturing: "Hold still…",
  "action-seen": "Thank you: hold still…",
  "passkey-create": "Create a passkey on this device when your browser asks.",
  "passkey-use": "Confirm with this device's passkey when your browser asks.",
  "passkey-skipped": "Going on without a passkey: this sign-in uses your face only.",
  sending: "Checking…",
  done: "Done.",
};

/** The guidance for a capture step, or for a quality refusal with the gate's message. */
export function guidanceFor(code: GuidanceCode, message?: string): Guidance {
  return { code, message: message ?? STEPS[code] ?? "Adjust your position.", ready: code === "ok" };
}
