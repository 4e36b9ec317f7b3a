import { ErrorResultSchema, ResultSchema, type ConformanceResult, type Tolerances } from "./format.js";
import { similarity } from "../../src/protocol/similarity.js";

/**
 * Judges one implementation's document against one vector, stage by
 * stage, with the vectors file's tolerances. Stages after the one where the
 * reference refused are not applicable; the refusal stage then says
 * whether the implementation refused for the same reason.
 */

export const STAGES = ["decode", "restoration", "detection", "subject", "points", "aligned", "quality", "embedding", "refusal"] as const;
export type Stage = (typeof STAGES)[number];

export type StageStatus = "pass" | "fail" | "n/a";

export interface StageVerdict {
  stage: Stage;
  status: StageStatus;
  /** Short: what was compared and by how much it differed. */
  note: string;
}

/** Largest differences seen, per measure (for reports, and to check the tolerances against a second runtime). */
export interface Differences {
  boxPx?: number;
  score?: number;
  pointPx?: number;
  alignedMean?: number;
  alignedStd?: number;
  thumbnail?: number;
  interOcularPx?: number;
  sharpnessRelative?: number;
  brightness?: number;
  poseDeg?: number;
  outside?: number;
  qualityScore?: number;
  /** 1 - cosine of the embeddings. */
  embeddingDistance?: number;
}

export interface PhotoVerdict {
  image: string;
  ok: boolean;
  stages: StageVerdict[];
  differences: Differences;
}

type Box = ConformanceResult["detection"]["faces"][number]["box"];

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

const maxAbs = (xs: readonly number[], ys: readonly number[]): number => xs.reduce((m, x, i) => Math.max(m, Math.abs(x - ys[i]!)), 0);
const fmt = (v: number, digits = 4): string => (v === 0 ? "0" : v < 10 ** -digits ? v.toExponential(1) : v.toFixed(digits));

export interface CompareOptions {
  /** The implementation was handed the reference decoder's pixels (PAM), so its decoder is not being judged. */
  referencePixels?: boolean;
}

export function comparePhoto(image: string, expected: ConformanceResult, raw: unknown, tol: Tolerances, opts: CompareOptions = {}): PhotoVerdict {
  const fail = (note: string): PhotoVerdict => ({ image, ok: false, stages: STAGES.map((stage) => ({ stage, status: "fail", note })), differences: {} });
  const error = ErrorResultSchema.safeParse(raw);
  if (error.success) return fail(`the implementation reported an error: ${error.data.error}`);
  const parsed = ResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`);
    return fail(`not a ${expected.format} document (${issues.join("; ")})`);
  }
  const actual = parsed.data;
  const d: Differences = {};
  const stages: StageVerdict[] = [];
  const add = (stage: Stage, status: StageStatus, note: string) => stages.push({ stage, status, note });
  const within = (ok: boolean, note: string): [StageStatus, string] => [ok ? "pass" : "fail", note];

  // decode: exact, pixels are integers and decoders either agree or do not.
  {
    const e = expected.decoded;
    const a = actual.decoded;
    const dims = `${a.width}x${a.height}`;
    if (a.width !== e.width || a.height !== e.height) add("decode", "fail", `${dims}, expected ${e.width}x${e.height}`);
    else if (a.rgbaSha256 !== e.rgbaSha256)
      add("decode", "fail", `${dims}, other pixels (RGBA sha256 differs: another JPEG/PNG decoder, orientation or resize?)`);
    else add("decode", "pass", opts.referencePixels ? `${dims}, the reference pixels (PAM)` : `${dims}, identical pixels`);
  }

  add(
    "restoration",
    ...within(
      actual.restoration.impulse === expected.restoration.impulse && actual.restoration.median === expected.restoration.median,
      `impulse ${actual.restoration.impulse}, median ${actual.restoration.median}` +
        (actual.restoration.impulse === expected.restoration.impulse && actual.restoration.median === expected.restoration.median
          ? ""
          : ` (expected ${expected.restoration.impulse}, ${expected.restoration.median})`),
    ),
  );

  // detection: same pass, same number of faces, each expected face matched to its best-overlapping one.
  const match = new Map<number, number>();
  {
    const e = expected.detection;
    const a = actual.detection;
    const problems: string[] = [];
    if (a.pass !== e.pass) problems.push(`${a.pass} pass decided, expected ${e.pass}`);
    if (a.faces.length !== e.faces.length) problems.push(`${a.faces.length} faces, expected ${e.faces.length}`);
    const free = new Set(a.faces.map((_, i) => i));
    let boxPx = 0;
    let score = 0;
    e.faces.forEach((ef, i) => {
      let best = -1;
      let bestIou = 0;
      for (const j of free) {
        const o = iou(ef.box, a.faces[j]!.box);
        if (o > bestIou) [best, bestIou] = [j, o];
      }
      if (best < 0) {
        problems.push(`face ${i} not found`);
        return;
      }
      free.delete(best);
      match.set(i, best);
      const af = a.faces[best]!;
      boxPx = Math.max(
        boxPx,
        maxAbs(
          [ef.box.x, ef.box.y, ef.box.x + ef.box.width, ef.box.y + ef.box.height],
          [af.box.x, af.box.y, af.box.x + af.box.width, af.box.y + af.box.height],
        ),
      );
      score = Math.max(score, Math.abs(ef.score - af.score));
    });
    if (e.faces.length) [d.boxPx, d.score] = [boxPx, score];
    if (boxPx > tol.boxPx) problems.push(`box edge off by ${fmt(boxPx)} px (> ${tol.boxPx})`);
    if (score > tol.score) problems.push(`score off by ${fmt(score, 6)} (> ${tol.score})`);
    add(
      "detection",
      problems.length ? "fail" : "pass",
      problems.length ? problems.join("; ") : `${a.pass}, ${a.faces.length} face(s), box Δ ${fmt(boxPx)} px, score Δ ${fmt(score, 6)}`,
    );
  }

  {
    const want = expected.subject === null ? null : (match.get(expected.subject) ?? -1);
    const ok = want === actual.subject;
    add(
      "subject",
      ok ? "pass" : "fail",
      ok
        ? want === null
          ? "none chosen"
          : `face ${want}`
        : `chose ${actual.subject ?? "none"}, expected ${want === -1 ? "the unmatched reference face" : (want ?? "none")}`,
    );
  }

  if (!expected.points) add("points", "n/a", "refused before");
  else if (!actual.points) add("points", "fail", "missing");
  else {
    const e = expected.points.flatMap((p) => [p.x, p.y]);
    const a = actual.points.flatMap((p) => [p.x, p.y]);
    d.pointPx = maxAbs(e, a);
    add("points", ...within(d.pointPx <= tol.pointPx, `Δ ${fmt(d.pointPx)} px${d.pointPx > tol.pointPx ? ` (> ${tol.pointPx})` : ""}`));
  }

  if (!expected.aligned) add("aligned", "n/a", "refused before");
  else if (!actual.aligned) add("aligned", "fail", "missing");
  else {
    const e = expected.aligned;
    const a = actual.aligned;
    d.alignedMean = maxAbs(e.mean, a.mean);
    d.alignedStd = maxAbs(e.std, a.std);
    d.thumbnail = maxAbs(e.thumbnail.flat(), a.thumbnail.flat());
    const ok = d.alignedMean <= tol.alignedMean && d.alignedStd <= tol.alignedStd && d.thumbnail <= tol.thumbnail;
    const detail = `mean Δ ${fmt(d.alignedMean, 3)}, std Δ ${fmt(d.alignedStd, 3)}, thumbnail Δ ${fmt(d.thumbnail, 1)}`;
    add("aligned", ok ? "pass" : "fail", a.rgbSha256 === e.rgbSha256 ? "identical pixels" : ok ? `not bit-identical, within tolerance (${detail})` : detail);
  }

  if (!expected.quality) add("quality", "n/a", "refused before");
  else if (!actual.quality) add("quality", "fail", "missing");
  else {
    const e = expected.quality;
    const a = actual.quality;
    d.interOcularPx = Math.abs(e.interOcularPx - a.interOcularPx);
    d.sharpnessRelative = Math.abs(e.sharpness - a.sharpness) / Math.max(Math.abs(e.sharpness), 1e-9);
    d.brightness = Math.abs(e.brightness - a.brightness);
    d.poseDeg = maxAbs([e.pose.yaw, e.pose.pitch, e.pose.roll], [a.pose.yaw, a.pose.pitch, a.pose.roll]);
    d.outside = Math.abs(e.outside - a.outside);
    d.qualityScore = Math.abs(e.score - a.score);
    const over = (
      [
        ["interOcularPx", d.interOcularPx, tol.interOcularPx],
        ["sharpness (relative)", d.sharpnessRelative, tol.sharpnessRelative],
        ["brightness", d.brightness, tol.brightness],
        ["pose", d.poseDeg, tol.poseDeg],
        ["outside", d.outside, tol.outside],
        ["score", d.qualityScore, tol.qualityScore],
      ] as const
    ).filter(([, v, t]) => v > t);
    add(
      "quality",
      over.length ? "fail" : "pass",
      over.length
        ? over.map(([n, v, t]) => `${n} off by ${fmt(v)} (> ${t})`).join("; ")
        : `largest Δ: pose ${fmt(d.poseDeg)}°, sharpness ${fmt(100 * d.sharpnessRelative, 2)}%`,
    );
  }

  if (!expected.embedding) add("embedding", "n/a", "refused before");
  else if (!actual.embedding) add("embedding", "fail", "missing");
  else {
    const e = expected.embedding.values;
    const a = actual.embedding.values;
    const problems: string[] = [];
    let note = "";
    if (actual.embedding.sharpened !== expected.embedding.sharpened)
      problems.push(`sharpened ${actual.embedding.sharpened}, expected ${expected.embedding.sharpened}`);
    if (a.length !== e.length) problems.push(`${a.length} values, expected ${e.length}`);
    else {
      const cos = similarity(e, a);
      d.embeddingDistance = Math.max(0, 1 - cos);
      note = `cosine ${cos.toFixed(6)}`;
      if (!(cos >= tol.embeddingCosine)) problems.push(`${note} < ${tol.embeddingCosine}`);
    }
    add("embedding", problems.length ? "fail" : "pass", problems.length ? problems.join("; ") : note);
  }

  {
    const e = expected.refusal?.reason ?? null;
    const a = actual.refusal?.reason ?? null;
    add("refusal", e === a ? "pass" : "fail", e === a ? (e ?? "none") : `${a ?? "none"}, expected ${e ?? "none"}`);
  }

  return { image, ok: stages.every((s) => s.status !== "fail"), stages, differences: d };
}

/** The largest of each difference over many verdicts. */
export function largestDifferences(verdicts: readonly PhotoVerdict[]): Differences {
  const out: Differences = {};
  for (const v of verdicts) {
    for (const [k, x] of Object.entries(v.differences) as [keyof Differences, number][]) out[k] = Math.max(out[k] ?? 0, x);
  }
  return out;
}
