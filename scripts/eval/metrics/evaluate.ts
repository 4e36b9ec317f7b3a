/**
 * From pairs and per-image pipeline outcomes to one evaluation: scores
 * (cosine), headline metrics with failures counted as non-matches, the same
 * metrics on processed pairs only, numbers at the shipped thresholds,
 * failures by reason, and per-stage timing medians.
 */
import { similarity } from "../../../src/protocol/similarity.js";
import type { ImageOutcomes, Variant } from "../embed/embed-images.js";
import type { ShippedThresholds } from "../calibration/manifest.js";
import { atThreshold, quantile, verificationMetrics, type ThresholdOutcome, type VerificationMetrics } from "./metrics.js";
import type { EmbedOutcome, Pair } from "../types.js";

export interface ScoredPair {
  where: string;
  same: boolean;
  /** Cosine similarity; -Infinity when either image failed. */
  score: number;
  /** The first image (reference, then probe) that failed, and why. */
  failure?: { image: "reference" | "probe"; file: string; reason: string };
}

function outcomeOf(outcomes: ImageOutcomes, file: string, v: Variant): EmbedOutcome {
  const o = outcomes.get(file)?.get(v);
  if (!o) throw new Error(`no pipeline outcome for ${file} (${v})`);
  return o;
}

export function scorePairs(pairs: readonly Pair[], outcomes: ImageOutcomes, probe: Variant = "none"): ScoredPair[] {
  return pairs.map((p) => {
    const a = outcomeOf(outcomes, p.a, "none");
    const b = outcomeOf(outcomes, p.b, probe);
    if (!a.ok) return { where: p.where, same: p.same, score: -Infinity, failure: { image: "reference", file: p.a, reason: a.reason } };
    if (!b.ok) return { where: p.where, same: p.same, score: -Infinity, failure: { image: "probe", file: p.b, reason: b.reason } };
    return { where: p.where, same: p.same, score: similarity(a.embedding, b.embedding) };
  });
}

export interface FailureSummary {
  /** Distinct images (per variant) the run used, and those the pipeline could not process. */
  images: { total: number; failed: number; fraction: number; byReason: Record<string, number> };
  genuinePairs: { total: number; failed: number; byReason: Record<string, number> };
  impostorPairs: { total: number; failed: number; byReason: Record<string, number> };
  /** Up to 20 failed images, for a look. */
  examples: { file: string; variant: Variant; reason: string; message: string }[];
}

function usedImages(pairs: readonly Pair[], probe: Variant): Map<string, [string, Variant]> {
  const used = new Map<string, [string, Variant]>();
  for (const p of pairs) {
    used.set(`${p.a}\0none`, [p.a, "none"]);
    used.set(`${p.b}\0${probe}`, [p.b, probe]);
  }
  return used;
}

export function summarizeFailures(pairs: readonly Pair[], scored: readonly ScoredPair[], outcomes: ImageOutcomes, probe: Variant): FailureSummary {
  const images = { total: 0, failed: 0, fraction: 0, byReason: {} as Record<string, number> };
  const examples: FailureSummary["examples"] = [];
  for (const [file, v] of usedImages(pairs, probe).values()) {
    images.total++;
    const o = outcomeOf(outcomes, file, v);
    if (o.ok) continue;
    images.failed++;
    images.byReason[o.reason] = (images.byReason[o.reason] ?? 0) + 1;
    if (examples.length < 20) examples.push({ file, variant: v, reason: o.reason, message: o.message });
  }
  images.fraction = images.total ? images.failed / images.total : 0;
  const genuinePairs = { total: 0, failed: 0, byReason: {} as Record<string, number> };
  const impostorPairs = { total: 0, failed: 0, byReason: {} as Record<string, number> };
  for (const s of scored) {
    const bucket = s.same ? genuinePairs : impostorPairs;
    bucket.total++;
    if (!s.failure) continue;
    bucket.failed++;
    bucket.byReason[s.failure.reason] = (bucket.byReason[s.failure.reason] ?? 0) + 1;
  }
  return { images, genuinePairs, impostorPairs, examples };
}

/** Median and count per timing key over the outcomes that have timings. */
export function timingMedians(outcomes: Iterable<EmbedOutcome>): Record<string, { median: number; count: number }> {
  const byStage = new Map<string, number[]>();
  for (const o of outcomes) {
    if (!o.ok) continue;
    for (const [k, v] of Object.entries(o.timings)) {
      if (!Number.isFinite(v)) continue;
      let xs = byStage.get(k);
      if (!xs) byStage.set(k, (xs = []));
      xs.push(v);
    }
  }
  const out: Record<string, { median: number; count: number }> = {};
  for (const [k, xs] of byStage) {
    xs.sort((a, b) => a - b);
    out[k] = { median: quantile(xs, 0.5), count: xs.length };
  }
  return out;
}

export interface AtShipped {
  modelId: string;
  /** The operating threshold and the numbers at it. */
  operating: { fmr: number; outcome: ThresholdOutcome; overridden?: boolean };
  /** Each calibrated threshold in the manifest and the numbers at it. */
  calibrated: { fmr: number; outcome: ThresholdOutcome }[];
}

export interface Evaluation {
  /** "clean" or the probe perturbation. */
  name: string;
  probe: Variant;
  /** Headline: every pair, failures as non-matches. */
  metrics: VerificationMetrics;
  /** Pairs where both images were processed (how the model does when the gates let it through). */
  processedOnly: Omit<VerificationMetrics, "roc">;
  atShipped: AtShipped;
  failures: FailureSummary;
  timings: Record<string, { median: number; count: number }>;
  /** Every pair's score in pair-file order (-Infinity = failed to process). */
  scores: { genuine: number[]; impostor: number[] };
}

export function evaluate(name: string, pairs: readonly Pair[], outcomes: ImageOutcomes, probe: Variant, shipped: ShippedThresholds): Evaluation {
  const scored = scorePairs(pairs, outcomes, probe);
  const gen = scored.filter((s) => s.same).map((s) => s.score);
  const imp = scored.filter((s) => !s.same).map((s) => s.score);
  const metrics = verificationMetrics(gen, imp);
  const { roc: _roc, ...processedOnly } = verificationMetrics(gen.filter(Number.isFinite), imp.filter(Number.isFinite));
  const used = [...usedImages(pairs, probe).values()].map(([f, v]) => outcomeOf(outcomes, f, v));
  return {
    name,
    probe,
    metrics,
    processedOnly,
    atShipped: {
      modelId: shipped.modelId,
      operating: {
        fmr: shipped.operatingFmr,
        outcome: atThreshold(gen, imp, shipped.threshold),
        ...(shipped.overridden ? { overridden: true } : {}),
      },
      calibrated: shipped.thresholds.map((t) => ({ fmr: t.fmr, outcome: atThreshold(gen, imp, t.threshold) })),
    },
    failures: summarizeFailures(pairs, scored, outcomes, probe),
    timings: timingMedians(used),
    scores: { genuine: gen, impostor: imp },
  };
}
