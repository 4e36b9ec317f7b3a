import type { FivePoints, Point } from "../types.js";

/**
 * From the 68-point iBUG/300-W layout (0-based: 36-41 the image-left eye,
 * 42-47 the image-right eye, 30 the nose tip, 48/54 the outer and 60/64 the
 * inner mouth corners) to the 5 points of the ArcFace alignment, in its
 * order: image-left eye, image-right eye, nose tip, image-left mouth corner,
 * image-right mouth corner.
 *
 * - `ring`: eye centre = mean of all six eye-contour points, mouth corners
 *   = outer corners 48 and 54 (the usual 68→5 reduction).
 * - `package`: the original package's reduction: eye centre = mean of the
 *   four eyelid points (37, 38, 40, 41), mouth corner = mean of outer and
 *   inner corner (48+60, 54+64).
 */
export type FivePointMode = "ring" | "package";

export function fivePointsFrom68(pts: ArrayLike<number>, mode: FivePointMode = "ring"): FivePoints {
  if (pts.length < 136) throw new RangeError("expected 68 (x, y) pairs");
  const p = (i: number): Point => ({ x: pts[2 * i]!, y: pts[2 * i + 1]! });
  const mean = (idx: readonly number[]): Point => {
    let x = 0;
    let y = 0;
    for (const i of idx) {
      x += pts[2 * i]!;
      y += pts[2 * i + 1]!;
    }
    return { x: x / idx.length, y: y / idx.length };
  };
  if (mode === "package") {
    return [mean([37, 38, 40, 41]), mean([43, 44, 46, 47]), p(30), mean([48, 60]), mean([54, 64])];
  }
  return [mean([36, 37, 38, 39, 40, 41]), mean([42, 43, 44, 45, 46, 47]), p(30), p(48), p(54)];
}

/**
 * The ArcFace / InsightFace 112x112 reference positions of the five points
 * (`arcface_dst` in insightface's face_align.py), pixel-index coordinates.
 */
export const ARCFACE_112: FivePoints = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];
