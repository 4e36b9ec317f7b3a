import { isMatch, similarity } from "../protocol/similarity.js";
import type { OpenedTemplates } from "./templates.js";

/**
 * The decisions that let a face in, in one place (docs/SECURITY.md, "Who can
 * get in", says why each closes an attack):
 *
 * - **Verify** compares the probe with the subject's *anchor* (its first
 *   template) at the operating threshold, and with nothing else. Best-of
 *   matching over all templates would let any template that matches two
 *   people open the account to the second one.
 * - **A new template** must match the anchor at the stricter threshold
 *   (`addThreshold`, FMR 1e-5), never "some stored template": steps do not
 *   chain, so many small steps towards another face get nowhere. Because
 *   verify looks only at the anchor, additional templates never widen who is
 *   accepted.
 * - **Replay**: a probe closer to a stored template or to a recently accepted
 *   probe than two live captures of one person ever are (`replayLimit`,
 *   calibrated, models/manifest.json) is a copy, not a capture, and is refused.
 */
export interface MatchThresholds {
  /** Operating threshold (manifest `embedding.threshold`). */
  verify: number;
  /** Threshold a template added to an enrolled subject must reach against the anchor. */
  addTemplate: number;
  /** Similarity at or above which a probe is a replay of stored data. */
  replay: number;
}

export type VerifyVerdict = "match" | "no-match" | "replay";

export function verifyVerdict(probe: Float32Array, templates: OpenedTemplates, recent: readonly Float32Array[], t: MatchThresholds): VerifyVerdict {
  for (const stored of [templates.anchor, ...templates.others, ...recent]) {
    if (similarity(probe, stored) >= t.replay) return "replay";
  }
  return isMatch(similarity(probe, templates.anchor), t.verify) ? "match" : "no-match";
}

export function additionAccepted(candidate: Float32Array, templates: OpenedTemplates, t: MatchThresholds): boolean {
  return isMatch(similarity(candidate, templates.anchor), t.addTemplate);
}
