/**
 * Decision thresholds from an impostor score distribution.
 *
 * Convention: two embeddings match iff cosine >= threshold. For a target
 * FMR f and N impostor pairs, let k = floor(f * N), the number of false
 * matches the target allows. The threshold is the smallest value on a 1e-6
 * grid that is strictly above the (k+1)-th highest impostor score: then at
 * most k impostor scores are >= it, i.e. the empirical FMR is <= f, and no
 * lower grid value has that property. (The grid keeps the manifest readable
 * and absorbs float32/float64 differences between here and the server.)
 */
import { clopperPearsonUpper } from "../metrics/binomial.js";
import { minImpostorsFor } from "../metrics/metrics.js";

export const DEFAULT_FMR_TARGETS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6] as const;
export const DEFAULT_OPERATING_FMR = 1e-4;
export const THRESHOLD_GRID = 1e-6;
const GRID_STEPS = Math.round(1 / THRESHOLD_GRID);

export interface CalibratedThreshold {
  /** Target false match rate. */
  fmr: number;
  threshold: number;
  /** Impostor pairs the threshold was derived from. */
  impostorPairs: number;
  /** Impostor pairs with score >= threshold (<= floor(fmr * impostorPairs)). */
  falseMatches: number;
  empiricalFmr: number;
  /** One-sided 95% Clopper-Pearson upper bound on the FMR at this threshold (pairs taken as independent). */
  fmrUpper95: number;
  /** impostorPairs >= minImpostors (= 10 / fmr): at least ten false matches expected at the target. */
  supported: boolean;
  minImpostors: number;
  /** Distinct images among the false matches: few means the rate hangs on a handful of images. */
  falseMatchImages: number;
}

/** The smallest grid value strictly greater than s. */
export function gridAbove(s: number): number {
  let c = Math.floor(s * GRID_STEPS);
  while (c / GRID_STEPS > s) c--;
  while (c / GRID_STEPS <= s) c++;
  return c / GRID_STEPS;
}

/**
 * Threshold for one target from the highest impostor scores (descending; at
 * least floor(fmr * N) + 1 of them unless that exceeds N) and the total
 * impostor count N. `pairImages` (optional) are the image indices of each
 * top score, to count the distinct images among the false matches.
 */
export function thresholdForFmr(
  topDescending: ArrayLike<number>,
  impostorPairs: number,
  fmr: number,
  pairImages?: { i: ArrayLike<number>; j: ArrayLike<number> },
): CalibratedThreshold {
  if (!(fmr > 0 && fmr <= 1)) throw new Error(`FMR target must be in (0, 1], got ${fmr}`);
  if (impostorPairs < 1) throw new Error("no impostor pairs to calibrate on");
  const k = Math.floor(fmr * impostorPairs + 1e-9);
  let threshold: number;
  if (k >= impostorPairs) {
    threshold = -1;
  } else {
    if (topDescending.length <= k) {
      throw new Error(`need the top ${k + 1} impostor scores for FMR ${fmr}, got ${topDescending.length}`);
    }
    threshold = Math.min(1, gridAbove(topDescending[k]!));
  }
  let falseMatches = 0;
  const images = new Set<number>();
  const limit = Math.min(topDescending.length, impostorPairs);
  while (falseMatches < limit && topDescending[falseMatches]! >= threshold) {
    if (pairImages) {
      images.add(pairImages.i[falseMatches]!);
      images.add(pairImages.j[falseMatches]!);
    }
    falseMatches++;
  }
  if (k >= impostorPairs) falseMatches = impostorPairs;
  const minImpostors = minImpostorsFor(fmr);
  return {
    fmr,
    threshold,
    impostorPairs,
    falseMatches,
    empiricalFmr: falseMatches / impostorPairs,
    fmrUpper95: clopperPearsonUpper(falseMatches, impostorPairs),
    supported: impostorPairs >= minImpostors,
    minImpostors,
    falseMatchImages: images.size,
  };
}

/** How many top impostor scores the scan must keep for every target to be exact. */
export function topKFor(impostorPairs: number, targets: readonly number[]): number {
  const worst = Math.max(...targets);
  return Math.min(impostorPairs, Math.floor(worst * impostorPairs + 1e-9) + 1);
}

export interface OperatingPoint {
  fmr: number;
  threshold: number;
  reason: string;
}

/**
 * FMR `preferred` (1e-4) when the evidence supports it; otherwise the
 * supported target nearest to it on a log scale (on a tie, the stricter).
 */
export function chooseOperatingPoint(thresholds: readonly CalibratedThreshold[], preferred: number = DEFAULT_OPERATING_FMR): OperatingPoint {
  const want = thresholds.find((t) => Math.abs(t.fmr - preferred) <= preferred * 1e-9);
  if (want?.supported) {
    return {
      fmr: want.fmr,
      threshold: want.threshold,
      reason: `FMR ${preferred} is supported: ${want.impostorPairs} impostor pairs >= ${want.minImpostors} (10 / FMR)`,
    };
  }
  const supported = thresholds.filter((t) => t.supported);
  if (supported.length === 0) {
    const n = thresholds[0]?.impostorPairs ?? 0;
    throw new Error(`no FMR target is supported by ${n} impostor pairs (each needs at least 10 / FMR)`);
  }
  const dist = (t: CalibratedThreshold) => Math.abs(Math.log10(t.fmr / preferred));
  const best = supported.reduce((a, b) => (dist(b) < dist(a) || (dist(b) === dist(a) && b.fmr < a.fmr) ? b : a));
  const n = supported[0]!.impostorPairs;
  return {
    fmr: best.fmr,
    threshold: best.threshold,
    reason: `FMR ${preferred} needs at least ${minImpostorsFor(preferred)} impostor pairs (10 / FMR), only ${n} available; nearest supported target is ${best.fmr}`,
  };
}

export interface CalibrationResult {
  /** The SDK pipeline versions the thresholds hold for (the manifest's `pipelines`); empty for another embedder. */
  pipelines: string[];
  /** Every target, supported or not. Only supported ones are written to the manifest's `thresholds`. */
  thresholds: CalibratedThreshold[];
  operating: OperatingPoint;
  /** Provenance written as `embedding.calibration` (data, counts, command, date, tool, DevTest check...). */
  calibration: Record<string, unknown>;
}
