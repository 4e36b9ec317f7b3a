import type { Box } from "../types.js";

/**
 * The per-frame measures an active liveness challenge is decided on
 * (src/protocol/liveness.ts has the rule): eye openness and box continuity.
 * Head pose comes from the quality report (pipeline/quality/quality.ts).
 */

function dist(p: Float32Array, a: number, b: number): number {
  return Math.hypot(p[2 * a]! - p[2 * b]!, p[2 * a + 1]! - p[2 * b + 1]!);
}

/**
 * Eye aspect ratio (Soukupová and Čech, "Real-time eye blink detection using
 * facial landmarks", 2016) on the iBUG 68 points: for each eye (points 36-41
 * and 42-47) the two lid distances over twice the corner distance, averaged
 * over both eyes. It falls when the eyes close; the 68-point model here
 * smooths it (a blink drops it to 0.56-0.77 of its open level on the
 * development clips, not to near 0), so the rule compares it with the
 * capture's own open level, never with a fixed value.
 */
export function eyeAspectRatio(points68: Float32Array): number {
  const eye = (o: number) => (dist(points68, o + 1, o + 5) + dist(points68, o + 2, o + 4)) / (2 * dist(points68, o, o + 3));
  return (eye(36) + eye(42)) / 2;
}

/** Intersection over union of two boxes (0 when they do not overlap). */
export function boxIou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
