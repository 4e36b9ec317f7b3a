import { luma } from "../../image/luma.js";
import type { RgbaImage } from "../../image/types.js";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import { FaceQualityError } from "../../errors.js";
import type { Affine } from "../align/similarity.js";
import type { FivePoints, QualityReport } from "../types.js";

/**
 * Image-quality measurements on one face, all cheap (< 0.2 ms): taken from
 * the five landmarks and the aligned 112x112 crop, so they describe what the
 * embedding model actually sees.
 */

/**
 * Inner-face window of the aligned crop (ArcFace frame: eyes at y ≈ 52,
 * mouth at y ≈ 92): brows to chin, cheek to cheek, little background.
 */
export const INNER = { x0: 28, y0: 36, x1: 84, y1: 100 } as const;

/** Mean luma (BT.601, 0-255) over the inner-face window. */
export function brightness(crop: RgbaImage): number {
  const d = crop.data;
  let sum = 0;
  let n = 0;
  for (let y = INNER.y0; y < INNER.y1; y++) {
    for (let x = INNER.x0; x < INNER.x1; x++) {
      const p = (y * crop.width + x) * 4;
      sum += luma(d[p]!, d[p + 1]!, d[p + 2]!);
      n++;
    }
  }
  return sum / n;
}

/**
 * Variance of the 4-neighbour Laplacian of the luma over the inner-face
 * window (Pech-Pacheco et al., 2000). Computed on the aligned crop, so it is
 * comparable between photos of any resolution: a small face that had to be
 * enlarged is, honestly, blurred for the model. See `sharpness` for the
 * exposure-normalised value the gate uses.
 */
export function laplacianVariance(crop: RgbaImage, scratch?: Float32Array): number {
  const w = crop.width;
  const h = crop.height;
  const d = crop.data;
  const g = scratch && scratch.length >= w * h ? scratch : new Float32Array(w * h);
  for (let y = INNER.y0 - 1; y <= INNER.y1; y++) {
    for (let x = INNER.x0 - 1; x <= INNER.x1; x++) {
      const p = (y * w + x) * 4;
      g[y * w + x] = luma(d[p]!, d[p + 1]!, d[p + 2]!);
    }
  }
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = INNER.y0; y < INNER.y1; y++) {
    for (let x = INNER.x0; x < INNER.x1; x++) {
      const i = y * w + x;
      const lap = g[i - 1]! + g[i + 1]! + g[i - w]! + g[i + w]! - 4 * g[i]!;
      sum += lap;
      sq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sq / n - mean * mean;
}

/**
 * Laplacian variance rescaled to a mean luma of 128. The Laplacian scales
 * with exposure, so the raw value of an under-exposed but sharp face looks
 * blurred (a photo darkened to 0.4x kept its embedding at cosine 0.96 with
 * the original while its raw value fell 6x); the too-dark gate deals with
 * exposure, this one with focus and motion.
 */
export function sharpness(crop: RgbaImage, meanLuma: number, scratch?: Float32Array): number {
  const k = 128 / Math.max(meanLuma, 1);
  return laplacianVariance(crop, scratch) * k * k;
}

/**
 * Head-pose proxies in degrees from the five points. Roll is measured (the
 * angle of the eye line). Yaw and pitch come from a rigid-face model: with
 * roll and scale removed (points mapped into the aligned frame), the nose
 * tip stands in front of the eye/mouth plane by about half the inter-ocular
 * distance (adult average), so it moves sideways against the eye-mouth
 * midline by d·sin(yaw) while the eyes' spacing shrinks by cos(yaw): the
 * ratio gives tan(yaw); pitch likewise from the nose's height between the
 * eye and mouth lines against its frontal position. They rank faces by how
 * turned they are; they are not calibrated angles (and 5-point alignment
 * itself pulls the nose toward its reference, which damps them).
 */
export function poseFromPoints(points: FivePoints, toAligned: Affine): { yaw: number; pitch: number; roll: number } {
  const [le, re, nose, lm, rm] = points.map((p) => ({
    x: toAligned.a * p.x + toAligned.b * p.y + toAligned.c,
    y: toAligned.d * p.x + toAligned.e * p.y + toAligned.f,
  })) as unknown as [P, P, P, P, P];
  const roll = deg(Math.atan2(points[1].y - points[0].y, points[1].x - points[0].x));
  const depth = Math.hypot(re.x - le.x, re.y - le.y) / 2;
  const eyeMid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const mouthMid = { x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2 };
  const faceH = mouthMid.y - eyeMid.y || 1;
  // Horizontal offset of the nose tip from the eye-mouth midline at the nose's height.
  const t = (nose.y - eyeMid.y) / faceH;
  const midX = eyeMid.x + t * (mouthMid.x - eyeMid.x);
  const yaw = deg(Math.atan((nose.x - midX) / depth));
  const pitch = deg(Math.atan(((t - FRONTAL_NOSE_T) * faceH) / depth));
  return { yaw, pitch, roll };
}

type P = { x: number; y: number };

/** Where the nose tip sits between the eye line (0) and the mouth line (1) on the ArcFace reference: 0.495. */
const FRONTAL_NOSE_T = (() => {
  const [le, re, nose, lm, rm] = ARCFACE_112;
  const eye = (le.y + re.y) / 2;
  return (nose.y - eye) / ((lm.y + rm.y) / 2 - eye);
})();
const deg = (r: number) => (r * 180) / Math.PI;

/** Thresholds of the quality gates; see DEFAULT_QUALITY_POLICY for the values and their origin. */
export interface QualityPolicy {
  /** Refuse when the eye centres are closer than this, in source pixels. */
  minInterOcularPx: number;
  /** Refuse when the Laplacian variance of the aligned crop is below this. */
  minSharpness: number;
  /** Refuse when the inner-face mean luma is outside [min, max]. */
  minBrightness: number;
  maxBrightness: number;
  /** Refuse when a pose proxy exceeds these (degrees). */
  maxYaw: number;
  maxPitch: number;
  maxRoll: number;
  /**
   * Refuse when more than this fraction of the aligned crop (the face with
   * the margin the embedding model expects) lies outside the picture.
   */
  maxOutside: number;
}

/** Map the raw measurements to the [0, 1] weight used by temporal fusion. */
export function qualityScore(q: Omit<QualityReport, "score">, policy: QualityPolicy): number {
  // Each factor rises linearly from 0 at the refusal limit to 1 at a comfortable margin beyond it.
  const ramp = (v: number, lo: number, hi: number) => Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  const size = ramp(q.interOcularPx, policy.minInterOcularPx, policy.minInterOcularPx * 2.5);
  const sharp = ramp(Math.log(Math.max(q.sharpness, 1e-6)), Math.log(policy.minSharpness), Math.log(policy.minSharpness * 4));
  const light = Math.min(
    ramp(q.brightness, policy.minBrightness, policy.minBrightness + 40),
    ramp(-q.brightness, -policy.maxBrightness, -policy.maxBrightness + 40),
  );
  const pose = 1 - Math.max(Math.abs(q.pose.yaw) / policy.maxYaw, Math.abs(q.pose.pitch) / policy.maxPitch, Math.abs(q.pose.roll) / policy.maxRoll);
  return Math.max(0, Math.min(size, sharp, light)) * Math.max(0, Math.min(1, 0.25 + pose));
}

/**
 * The default gates: each refuses only what the embedding model cannot use,
 * and none refuses any of the 3,443 LFW DevTrain photos. How each limit was
 * set, with its measurements: docs/ACCURACY.md, "Quality gates".
 */
export const DEFAULT_QUALITY_POLICY: QualityPolicy = {
  minInterOcularPx: 12,
  minSharpness: 2,
  minBrightness: 30,
  maxBrightness: 240,
  maxYaw: 60,
  maxPitch: 45,
  maxRoll: 40,
  maxOutside: 0.05,
};

/** The first gate the face fails, as the error to throw; null when it passes them all. */
export function checkQuality(q: QualityReport, policy: QualityPolicy): FaceQualityError | null {
  const outside = q.outside;
  const r = (v: number) => Math.round(v * 10) / 10;
  if (q.interOcularPx < policy.minInterOcularPx) {
    return new FaceQualityError(
      "face-too-small",
      `The face is too small (eyes ${r(q.interOcularPx)} px apart, at least ${policy.minInterOcularPx} needed): move closer or use a larger photo.`,
      { interOcularPx: r(q.interOcularPx), min: policy.minInterOcularPx },
    );
  }
  if (outside > policy.maxOutside) {
    return new FaceQualityError(
      "face-cut-off",
      `Part of the face is outside the picture (${Math.round(outside * 100)}% of the face crop): bring the whole face into the frame.`,
      { outside: r(outside * 100) / 100, max: policy.maxOutside },
    );
  }
  const { yaw, pitch, roll } = q.pose;
  if (Math.abs(yaw) > policy.maxYaw || Math.abs(pitch) > policy.maxPitch || Math.abs(roll) > policy.maxRoll) {
    return new FaceQualityError("pose-too-far", "The face is turned too far from the camera: look straight at it.", {
      yaw: r(yaw),
      pitch: r(pitch),
      roll: r(roll),
      maxYaw: policy.maxYaw,
      maxPitch: policy.maxPitch,
      maxRoll: policy.maxRoll,
    });
  }
  if (q.brightness < policy.minBrightness) {
    return new FaceQualityError("too-dark", "The face is too dark: add light in front of you.", {
      brightness: r(q.brightness),
      min: policy.minBrightness,
    });
  }
  if (q.brightness > policy.maxBrightness) {
    return new FaceQualityError("too-bright", "The face is over-exposed: reduce the light or move away from it.", {
      brightness: r(q.brightness),
      max: policy.maxBrightness,
    });
  }
  if (q.sharpness < policy.minSharpness) {
    return new FaceQualityError("too-blurry", "The face is blurred: hold still, and check the camera's focus.", {
      sharpness: r(q.sharpness),
      min: policy.minSharpness,
    });
  }
  return null;
}
