/**
 * Verification metrics from genuine and impostor score lists.
 *
 * Convention throughout: two images match iff score >= threshold.
 * FAR(t) = #{impostor >= t} / N_impostor, TAR(t) = #{genuine >= t} / N_genuine,
 * FRR = 1 - TAR. A pair the pipeline could not process carries the score
 * -Infinity: it matches at no finite threshold, so a failed genuine pair is a
 * false non-match and a failed impostor pair a correct non-match.
 */

export interface RocPoint {
  /** Match iff score >= threshold; the first point has threshold +Infinity (nothing matches). */
  threshold: number;
  far: number;
  tar: number;
}

export interface DetPoint {
  threshold: number;
  far: number;
  frr: number;
}

/**
 * The exact empirical ROC: one point per distinct score (descending), each
 * counting every score >= it, plus (0, 0) at +Infinity. Tied genuine and
 * impostor scores enter at the same threshold, giving a diagonal step.
 */
export function rocCurve(genuine: ArrayLike<number>, impostor: ArrayLike<number>): RocPoint[] {
  const g = sortedDescending(genuine, "genuine");
  const im = sortedDescending(impostor, "impostor");
  const ng = g.length;
  const ni = im.length;
  const points: RocPoint[] = [{ threshold: Infinity, far: 0, tar: 0 }];
  let a = 0;
  let b = 0;
  while (a < ng || b < ni) {
    const v = Math.max(a < ng ? g[a]! : -Infinity, b < ni ? im[b]! : -Infinity);
    while (a < ng && g[a]! >= v) a++;
    while (b < ni && im[b]! >= v) b++;
    points.push({ threshold: v, far: ni ? b / ni : 0, tar: ng ? a / ng : 0 });
  }
  return points;
}

function sortedDescending(xs: ArrayLike<number>, what: string): Float64Array {
  const out = Float64Array.from(xs);
  for (const x of out) if (Number.isNaN(x)) throw new Error(`NaN in ${what} scores`);
  out.sort();
  return out.reverse();
}

/** Area under the ROC by the trapezoid rule: equals the Mann-Whitney U / (Ng Ni), ties counted half. */
export function rocAuc(roc: readonly RocPoint[]): number {
  let area = 0;
  for (let k = 1; k < roc.length; k++) {
    const p = roc[k - 1]!;
    const q = roc[k]!;
    area += ((q.far - p.far) * (q.tar + p.tar)) / 2;
  }
  return area;
}

/**
 * Equal error rate: where FAR = FRR, interpolated linearly along the ROC
 * segment on which FAR + TAR crosses 1. `threshold` is the segment end whose
 * FAR and FRR are closer to each other (a real operating point near the EER).
 */
export function equalErrorRate(roc: readonly RocPoint[]): { eer: number; threshold: number } {
  for (let k = 1; k < roc.length; k++) {
    const p = roc[k - 1]!;
    const q = roc[k]!;
    const gp = p.far + p.tar;
    const gq = q.far + q.tar;
    if (gq < 1) continue;
    const s = gq === gp ? 1 : (1 - gp) / (gq - gp);
    const eer = p.far + s * (q.far - p.far);
    const gapP = Math.abs(p.far - (1 - p.tar));
    const gapQ = Math.abs(q.far - (1 - q.tar));
    const threshold = Number.isFinite(p.threshold) && gapP < gapQ ? p.threshold : q.threshold;
    return { eer, threshold };
  }
  return { eer: NaN, threshold: NaN };
}

export interface ThresholdOutcome {
  threshold: number;
  /** (true matches + true non-matches) / all pairs. */
  accuracy: number;
  /** (TAR + TNR) / 2: the mean of the per-class accuracies. */
  balancedAccuracy: number;
  tar: number;
  far: number;
  frr: number;
  /** Counts at this threshold. */
  trueMatches: number;
  falseMatches: number;
  falseNonMatches: number;
  trueNonMatches: number;
}

/** Every number at one threshold (match iff score >= threshold). */
export function atThreshold(genuine: ArrayLike<number>, impostor: ArrayLike<number>, threshold: number): ThresholdOutcome {
  let tm = 0;
  let fm = 0;
  for (let k = 0; k < genuine.length; k++) if (genuine[k]! >= threshold) tm++;
  for (let k = 0; k < impostor.length; k++) if (impostor[k]! >= threshold) fm++;
  return outcome(threshold, tm, genuine.length, fm, impostor.length);
}

function outcome(threshold: number, tm: number, ng: number, fm: number, ni: number): ThresholdOutcome {
  const tar = ng ? tm / ng : NaN;
  const far = ni ? fm / ni : NaN;
  return {
    threshold,
    accuracy: (tm + ni - fm) / (ng + ni),
    balancedAccuracy: (tar + 1 - far) / 2,
    tar,
    far,
    frr: 1 - tar,
    trueMatches: tm,
    falseMatches: fm,
    falseNonMatches: ng - tm,
    trueNonMatches: ni - fm,
  };
}

/**
 * The best accuracy over all thresholds (every distinct score and +Infinity),
 * plain and balanced. On a tie the higher threshold is reported. This is an
 * oracle number (the threshold is chosen on the data it is scored on), as
 * LFW's "best accuracy" is; the accuracy at a threshold fixed beforehand is
 * `atThreshold`.
 */
export function bestAccuracy(roc: readonly RocPoint[], ng: number, ni: number): { accuracy: ThresholdOutcome; balanced: ThresholdOutcome } {
  let acc: ThresholdOutcome | null = null;
  let bal: ThresholdOutcome | null = null;
  for (const p of roc) {
    const o = outcome(p.threshold, Math.round(p.tar * ng), ng, Math.round(p.far * ni), ni);
    if (!acc || o.accuracy > acc.accuracy) acc = o;
    if (!bal || o.balancedAccuracy > bal.balancedAccuracy) bal = o;
  }
  return { accuracy: acc!, balanced: bal! };
}

/**
 * A FAR target is measurable from N impostor pairs only if N * target >= 10:
 * at least ten false matches are expected at the target rate, so the threshold
 * sits at about the tenth-highest impostor score rather than at the single
 * most extreme one, and the FAR estimate's relative standard error is at most
 * about 1/sqrt(10) = 32%. (With N pairs the smallest non-zero FAR one can
 * observe is 1/N; and even zero false matches in N pairs only bound the FAR
 * below about 3/N at 95% confidence, the rule of three.)
 */
export const MIN_EXPECTED_FALSE_MATCHES = 10;

export function minImpostorsFor(target: number): number {
  return Math.ceil(MIN_EXPECTED_FALSE_MATCHES / target - 1e-9);
}

export interface TarAtFar {
  /** The FAR target. */
  target: number;
  /** TAR at the smallest threshold whose FAR <= target (the ROC point with the largest FAR not above it). */
  tar: number;
  threshold: number;
  /** The FAR actually reached at that threshold (<= target). */
  far: number;
  impostorPairs: number;
  /** False when impostorPairs < minImpostors: the number is reported but not evidence. */
  supported: boolean;
  minImpostors: number;
}

export function tarAtFar(roc: readonly RocPoint[], ni: number, target: number): TarAtFar {
  let best = roc[0]!;
  for (const p of roc) {
    if (p.far <= target + 1e-12) best = p;
    else break;
  }
  const minImpostors = minImpostorsFor(target);
  return {
    target,
    tar: best.tar,
    threshold: best.threshold,
    far: best.far,
    impostorPairs: ni,
    supported: ni >= minImpostors,
    minImpostors,
  };
}

export function detPoints(roc: readonly RocPoint[]): DetPoint[] {
  return roc.map((p) => ({ threshold: p.threshold, far: p.far, frr: 1 - p.tar }));
}

export interface Quantiles {
  count: number;
  min: number;
  p01: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default). */
export function quantile(sortedAsc: ArrayLike<number>, q: number): number {
  const n = sortedAsc.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sortedAsc[lo]! + (h - lo) * (sortedAsc[hi]! - sortedAsc[lo]!);
}

/** Quantiles of the finite scores (pairs that failed to process are left out here). */
export function scoreQuantiles(scores: ArrayLike<number>): Quantiles | null {
  const s = Float64Array.from(Array.prototype.filter.call(scores, (x: number) => Number.isFinite(x)) as number[]);
  if (s.length === 0) return null;
  s.sort();
  let sum = 0;
  for (const x of s) sum += x;
  return {
    count: s.length,
    min: s[0]!,
    p01: quantile(s, 0.01),
    p05: quantile(s, 0.05),
    p25: quantile(s, 0.25),
    p50: quantile(s, 0.5),
    p75: quantile(s, 0.75),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
    max: s[s.length - 1]!,
    mean: sum / s.length,
  };
}

export const DEFAULT_FAR_TARGETS = [1e-2, 1e-3, 1e-4] as const;

export interface VerificationMetrics {
  genuinePairs: number;
  impostorPairs: number;
  auc: number;
  eer: { eer: number; threshold: number };
  bestAccuracy: ThresholdOutcome;
  bestBalancedAccuracy: ThresholdOutcome;
  tarAtFar: TarAtFar[];
  quantiles: { genuine: Quantiles | null; impostor: Quantiles | null };
  roc: RocPoint[];
}

export function verificationMetrics(
  genuine: ArrayLike<number>,
  impostor: ArrayLike<number>,
  farTargets: readonly number[] = DEFAULT_FAR_TARGETS,
): VerificationMetrics {
  const roc = rocCurve(genuine, impostor);
  const best = bestAccuracy(roc, genuine.length, impostor.length);
  return {
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    auc: genuine.length && impostor.length ? rocAuc(roc) : NaN,
    eer: equalErrorRate(roc),
    bestAccuracy: best.accuracy,
    bestBalancedAccuracy: best.balanced,
    tarAtFar: farTargets.map((t) => tarAtFar(roc, impostor.length, t)),
    quantiles: { genuine: scoreQuantiles(genuine), impostor: scoreQuantiles(impostor) },
    roc,
  };
}
