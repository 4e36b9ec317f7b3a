import { actionShown, type ActionVerdict, type LivenessEvidence } from "../protocol/liveness.js";
import type { ChallengeLiveness } from "./challenges.js";

/**
 * Whether a verify's sealed evidence shows what its challenge asked
 * (protocol/liveness.ts has the rule and docs/PAD.md its limits):
 * - `passive`: the SDK's PAD score reached the manifest's operating point;
 * - `active`: the frames show the challenged action by one face.
 * No evidence, or a manifest without a PAD operating point, fails closed.
 */
export type LivenessVerdict = { ok: true } | { ok: false; why: "no-evidence" | "pad" | Extract<ActionVerdict, { ok: false }>["why"] };

export function livenessShown(
  asked: ChallengeLiveness,
  evidence: LivenessEvidence | null,
  agreeThreshold: number,
  padThreshold: number | null,
): LivenessVerdict {
  if (!evidence) return { ok: false, why: "no-evidence" };
  if (asked.level === "passive") {
    return padThreshold !== null && evidence.pad !== undefined && evidence.pad >= padThreshold ? { ok: true } : { ok: false, why: "pad" };
  }
  if (!asked.action) return { ok: false, why: "no-action" };
  return actionShown(evidence.frames, asked.action, agreeThreshold);
}
