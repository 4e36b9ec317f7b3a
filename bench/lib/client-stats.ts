import { median, quantile } from "./stats.js";

/** Stages the client benchmark reports (ms). `cpu` = process CPU time per image (all threads). */
export const STAGES = ["denoise", "detect", "landmarks", "align", "quality", "embed", "total", "cpu"] as const;
export type Stage = (typeof STAGES)[number];

/** One contender's result for one image in one round. */
export interface ImageSample {
  image: number;
  round: number;
  /** True when the contender produced a face descriptor. */
  ok: boolean;
  /** Why not: "no-face", "multiple-faces", ... */
  reason?: string;
  /** Stage durations in ms; a stage the contender does not have is absent. */
  stages: Partial<Record<Stage, number>>;
  /** Time inside ONNX Runtime per model for this image (all its runs), ms: wall and process CPU. */
  models?: Record<string, { wall: number; cpu: number; runs: number }>;
}

export interface StageSummary {
  median: number;
  p10: number;
  p90: number;
  n: number;
}

/** Indices of the images every contender produced a descriptor for in every round. */
export function commonImages(samplesByContender: ReadonlyMap<string, readonly ImageSample[]>): number[] {
  const sets = [...samplesByContender.values()].map((samples) => {
    const ok = new Set<number>();
    const bad = new Set<number>();
    for (const s of samples) (s.ok ? ok : bad).add(s.image);
    for (const i of bad) ok.delete(i);
    return ok;
  });
  if (!sets.length) return [];
  return [...sets[0]!].filter((i) => sets.every((s) => s.has(i))).sort((a, b) => a - b);
}

/**
 * Per-stage median (and p10/p90) over all (image, round) samples whose
 * image is in `images` (all successful samples when omitted).
 */
export function summarise(samples: readonly ImageSample[], images?: readonly number[]): Partial<Record<Stage, StageSummary>> {
  const keep = images ? new Set(images) : null;
  const out: Partial<Record<Stage, StageSummary>> = {};
  for (const stage of STAGES) {
    const xs = samples.filter((s) => s.ok && (!keep || keep.has(s.image)) && s.stages[stage] !== undefined).map((s) => s.stages[stage]!);
    if (xs.length) out[stage] = { median: median(xs), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), n: xs.length };
  }
  return out;
}

/**
 * Per model: median over the successful samples of `images` of the time
 * spent inside ORT for that image (wall and CPU), and the runs per image.
 */
export function summariseModels(
  samples: readonly ImageSample[],
  images?: readonly number[],
): Record<string, { wall: number; cpu: number; runsPerImage: number; n: number }> {
  const keep = images ? new Set(images) : null;
  const by = new Map<string, { wall: number[]; cpu: number[]; runs: number[] }>();
  for (const s of samples) {
    if (!s.ok || !s.models || (keep && !keep.has(s.image))) continue;
    for (const [id, m] of Object.entries(s.models)) {
      const e = by.get(id) ?? { wall: [], cpu: [], runs: [] };
      e.wall.push(m.wall);
      e.cpu.push(m.cpu);
      e.runs.push(m.runs);
      by.set(id, e);
    }
  }
  return Object.fromEntries([...by].map(([id, e]) => [id, { wall: median(e.wall), cpu: median(e.cpu), runsPerImage: median(e.runs), n: e.wall.length }]));
}

/**
 * Median over images of the process CPU time outside ORT (the pipeline's own
 * JavaScript plus ORT's JS wrapper): per image, `cpu` minus the models' CPU.
 */
export function outsideModelsCpu(samples: readonly ImageSample[], images?: readonly number[]): number {
  const keep = images ? new Set(images) : null;
  const xs = samples
    .filter((s) => s.ok && s.models && s.stages.cpu !== undefined && (!keep || keep.has(s.image)))
    .map((s) => s.stages.cpu! - Object.values(s.models!).reduce((a, m) => a + m.cpu, 0));
  return xs.length ? median(xs) : Number.NaN;
}

/** Images (first round) a contender refused, by reason. */
export function refusals(samples: readonly ImageSample[]): Record<string, number> {
  const first = Math.min(...samples.map((s) => s.round));
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.round !== first || s.ok) continue;
    const r = s.reason ?? "error";
    out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}

/** a / b, NaN when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): number {
  return a !== undefined && b !== undefined && b > 0 ? a / b : Number.NaN;
}
