/**
 * From per-model scores to one bona fide score per presentation, with the
 * SDK's own fusion (client/src/pipeline/pad/pad.ts: a linear combination of the
 * models' logits), optionally over bursts of frames; and the fitting of
 * those few fusion weights on development data (logistic regression: a
 * handful of numbers, not a network trained on the data).
 */
import { fuseModels, logistic, logit, type PadPolicy } from "../../../client/src/pipeline/pad/pad.js";
import { BONA_FIDE, type ScoredPresentation } from "./metrics.js";
import type { ScoredImage } from "./score.js";

export type FusionPolicy = Pick<PadPolicy, "models" | "weights" | "bias">;

/** One presentation per image: the fused score of its models (null when refused before PAD). */
export function fuseImages(images: readonly ScoredImage[], policy: FusionPolicy): ScoredPresentation[] {
  const p = { ...policy, threshold: 0, burstFrames: 1 };
  return images.map((im) => ({ type: im.type, subject: im.subject, score: im.scores ? logistic(fuseModels(im.scores, p)) : null }));
}

/**
 * Bursts: images that share a group key (e.g. frames of one capture
 * session) are taken `frames` at a time, in index order, and each burst is
 * one presentation scored on the mean of its frames' fused logits (what
 * FacePipeline.analyzeBurst does). Refused frames are skipped, as a burst
 * skips bad frames; a burst with no scored frame is refused. A trailing
 * group of fewer than `frames` images is dropped, so every burst has the same size.
 */
export function fuseBursts(
  images: readonly ScoredImage[],
  policy: FusionPolicy,
  frames: number,
  groupKey: (im: ScoredImage) => string | null,
): ScoredPresentation[] {
  const p = { ...policy, threshold: 0, burstFrames: frames };
  const groups = new Map<string, ScoredImage[]>();
  for (const im of images) {
    const k = groupKey(im);
    if (k === null) continue;
    const key = `${im.type}|${im.subject}|${k}`;
    groups.set(key, [...(groups.get(key) ?? []), im]);
  }
  const out: ScoredPresentation[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i + frames <= g.length; i += frames) {
      const burst = g.slice(i, i + frames);
      const scored = burst.filter((im) => im.scores);
      const z = scored.reduce((s, im) => s + fuseModels(im.scores!, p), 0) / (scored.length || 1);
      out.push({ type: burst[0]!.type, subject: burst[0]!.subject, score: scored.length ? logistic(z) : null });
    }
  }
  return out;
}

export interface FitOptions {
  /** L2 penalty on the weights (not the bias), per unit of total sample weight. */
  l2?: number;
  iterations?: number;
}

/**
 * Logistic regression of bona fide (1) against attack (0) on the models'
 * logits, by Newton's method (IRLS). Samples are weighted so that bona fide
 * and attacks count equally, and within the attacks every type counts
 * equally: the headline APCER is the worst type's, so a type with many
 * images must not drown a type with few.
 */
export function fitFusion(images: readonly ScoredImage[], models: readonly string[], o: FitOptions = {}): FusionPolicy {
  const rows = images.filter((im) => im.scores);
  const types = [...new Set(rows.filter((r) => r.type !== BONA_FIDE).map((r) => r.type))];
  const nBona = rows.filter((r) => r.type === BONA_FIDE).length;
  if (nBona === 0 || types.length === 0) throw new Error("fitting fusion weights needs bona fide and attack presentations");
  const perType = new Map(types.map((t) => [t, rows.filter((r) => r.type === t).length]));
  const X = rows.map((r) => [1, ...models.map((m) => logit(r.scores![m]!))]);
  const y = rows.map((r) => (r.type === BONA_FIDE ? 1 : 0));
  const w = rows.map((r) => (r.type === BONA_FIDE ? 0.5 / nBona : 0.5 / types.length / perType.get(r.type)!));
  const d = models.length + 1;
  const l2 = o.l2 ?? 1e-3;
  let beta = new Array<number>(d).fill(0);
  for (let it = 0; it < (o.iterations ?? 50); it++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < X.length; i++) {
      const x = X[i]!;
      const p = logistic(x.reduce((s, v, k) => s + v * beta[k]!, 0));
      for (let a = 0; a < d; a++) {
        g[a]! += w[i]! * (p - y[i]!) * x[a]!;
        for (let b = 0; b < d; b++) H[a]![b]! += w[i]! * p * (1 - p) * x[a]! * x[b]!;
      }
    }
    for (let a = 1; a < d; a++) {
      g[a]! += l2 * beta[a]!;
      H[a]![a]! += l2;
    }
    const step = solve(H, g);
    beta = beta.map((b, k) => b - step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { models: [...models], weights: Object.fromEntries(models.map((m, k) => [m, beta[k + 1]!])), bias: beta[0]! };
}

/** Gaussian elimination with partial pivoting (the systems here are 2x2 to 4x4). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const piv = M[c]![c]!;
    if (Math.abs(piv) < 1e-300) throw new Error("singular system in the fusion fit");
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / piv;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((r, i) => r[n]! / r[i]!);
}
