/**
 * Presentation-attack detection error rates as ISO/IEC 30107-3 defines them.
 *
 * Each presentation has a bona fide score (higher: more likely a real face);
 * it is classified bona fide iff score >= threshold.
 * - APCER of an attack type (PAI species): the share of that type's attack
 *   presentations classified bona fide. The standard reports it per type;
 *   the headline APCER is the worst type's.
 * - BPCER: the share of bona fide presentations classified as attacks.
 * - BPCER at APCER x (30107-3's BPCER10 and BPCER20 for x = 10% and 5%):
 *   BPCER at the lowest threshold whose worst-type APCER is <= x.
 * Presentations the pipeline refused before PAD (no face, a quality gate)
 * have no score: they are counted apart (`refused`), never in the rates.
 * Every rate comes with its counts, the subjects behind it and a one-sided
 * 95% Clopper-Pearson upper bound (presentations treated as independent,
 * which frames of one subject are not: the bound understates the doubt).
 */
import { clopperPearsonUpper } from "../metrics/binomial.js";

export const BONA_FIDE = "bona_fide";

export interface ScoredPresentation {
  /** `bona_fide`, or the attack type (`print`, `replay_phone_photo`, ...). */
  type: string;
  subject: string;
  /** Bona fide score in [0, 1]; null when the pipeline refused the image before PAD. */
  score: number | null;
}

export interface Rate {
  /** errors / presentations. */
  rate: number;
  errors: number;
  presentations: number;
  /** Distinct subjects among the presentations, and among the errors. */
  subjects: number;
  subjectsWithErrors: number;
  /** One-sided 95% Clopper-Pearson upper bound of the rate. */
  upper95: number;
}

export interface TypeOutcome {
  type: string;
  /** APCER for an attack type, BPCER for bona fide. */
  error: Rate;
  /** Presentations of this type the pipeline refused before PAD (not in `error`). */
  refused: number;
}

export interface PadOutcome {
  threshold: number;
  bpcer: Rate;
  /** APCER per attack type, worst first. */
  apcer: TypeOutcome[];
  /** The worst type (the headline APCER), or null with no attacks. */
  worst: TypeOutcome | null;
  /** All attack presentations pooled (for reference only: the standard reports per type). */
  apcerPooled: Rate;
}

function rate(items: readonly ScoredPresentation[], isError: (s: number) => boolean): Rate {
  const scored = items.filter((p) => p.score !== null);
  const wrong = scored.filter((p) => isError(p.score!));
  const n = scored.length;
  return {
    rate: n ? wrong.length / n : NaN,
    errors: wrong.length,
    presentations: n,
    subjects: new Set(scored.map((p) => p.subject)).size,
    subjectsWithErrors: new Set(wrong.map((p) => p.subject)).size,
    upper95: clopperPearsonUpper(wrong.length, n),
  };
}

/** The attack types present, in a stable order. */
export function attackTypes(items: readonly ScoredPresentation[]): string[] {
  return [...new Set(items.filter((p) => p.type !== BONA_FIDE).map((p) => p.type))].sort();
}

/** Every ISO/IEC 30107-3 rate at one threshold (bona fide iff score >= threshold). */
export function atThreshold(items: readonly ScoredPresentation[], threshold: number): PadOutcome {
  const bona = items.filter((p) => p.type === BONA_FIDE);
  const attacks = items.filter((p) => p.type !== BONA_FIDE);
  const accepted = (s: number) => s >= threshold;
  const apcer = attackTypes(items)
    .map((type) => {
      const of = attacks.filter((p) => p.type === type);
      return { type, error: rate(of, accepted), refused: of.filter((p) => p.score === null).length };
    })
    .sort((a, b) => b.error.rate - a.error.rate || a.type.localeCompare(b.type));
  return {
    threshold,
    bpcer: rate(bona, (s) => !accepted(s)),
    apcer,
    worst: apcer.find((t) => t.error.presentations > 0) ?? null,
    apcerPooled: rate(attacks, accepted),
  };
}

/** Distinct finite scores, ascending, each a candidate threshold, plus +Infinity (everything an attack). */
function candidateThresholds(items: readonly ScoredPresentation[]): number[] {
  const s = [...new Set(items.flatMap((p) => (p.score === null ? [] : [p.score])))].sort((a, b) => a - b);
  return [...s, Infinity];
}

export interface BpcerAtApcer {
  /** The APCER bound (worst type). */
  target: number;
  /** The lowest threshold at which every type's APCER is <= target. */
  threshold: number;
  outcome: PadOutcome;
}

/** BPCER at the lowest threshold whose worst-type APCER is at most `target` (BPCER10: 0.1, BPCER20: 0.05). */
export function bpcerAtApcer(items: readonly ScoredPresentation[], target: number): BpcerAtApcer {
  // Worst-type APCER only falls as the threshold rises, so the first that meets the target is the lowest.
  for (const t of candidateThresholds(items)) {
    const o = atThreshold(items, t);
    if ((o.worst?.error.rate ?? 0) <= target + 1e-12) return { target, threshold: t, outcome: o };
  }
  throw new Error("unreachable: at +Infinity every attack is refused");
}

export interface DetPoint {
  threshold: number;
  apcer: number;
  bpcer: number;
}

/** DET points for one attack type (or all attacks with `type` null) against all bona fide presentations. */
export function detCurve(items: readonly ScoredPresentation[], type: string | null): DetPoint[] {
  const bona = items.filter((p) => p.type === BONA_FIDE && p.score !== null).map((p) => p.score!);
  const att = items.filter((p) => p.type !== BONA_FIDE && (type === null || p.type === type) && p.score !== null).map((p) => p.score!);
  return candidateThresholds(items).map((t) => ({
    threshold: t,
    apcer: att.length ? att.filter((s) => s >= t).length / att.length : NaN,
    bpcer: bona.length ? bona.filter((s) => s < t).length / bona.length : NaN,
  }));
}

/** Equal error rate between BPCER and the pooled APCER (for a one-number comparison of candidates). */
export function equalErrorRate(points: readonly DetPoint[]): { eer: number; threshold: number } {
  let best = { eer: NaN, threshold: NaN, gap: Infinity };
  for (const p of points) {
    const gap = Math.abs(p.apcer - p.bpcer);
    if (gap < best.gap) best = { eer: (p.apcer + p.bpcer) / 2, threshold: p.threshold, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

export interface PadMetrics {
  presentations: { bonaFide: number; attacks: number; refusedBonaFide: number; refusedAttacks: number; subjects: number };
  /** At the threshold under evaluation (the shipped operating point, unless overridden). */
  operating: PadOutcome;
  bpcerAtApcer: BpcerAtApcer[];
  eer: { eer: number; threshold: number };
}

export const APCER_TARGETS = [0.1, 0.05] as const;

export function padMetrics(items: readonly ScoredPresentation[], threshold: number, targets: readonly number[] = APCER_TARGETS): PadMetrics {
  const bona = items.filter((p) => p.type === BONA_FIDE);
  const att = items.filter((p) => p.type !== BONA_FIDE);
  return {
    presentations: {
      bonaFide: bona.length,
      attacks: att.length,
      refusedBonaFide: bona.filter((p) => p.score === null).length,
      refusedAttacks: att.filter((p) => p.score === null).length,
      subjects: new Set(items.map((p) => p.subject)).size,
    },
    operating: atThreshold(items, threshold),
    bpcerAtApcer: targets.map((t) => bpcerAtApcer(items, t)),
    eer: equalErrorRate(detCurve(items, null)),
  };
}
