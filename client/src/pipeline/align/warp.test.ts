import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../image/types.js";
import { FaceAligner } from "./align.js";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import { applyAffine, invertAffine } from "./similarity.js";
import { warpAffine } from "./warp.js";

/** A gradient image: R = x, G = y, B = x + y (so bilinear interpolation is exact). */
function gradient(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, x + y, 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

const at = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe("warpAffine", () => {
  const img = gradient(64, 48);

  it("reproduces the image under the identity map", () => {
    const { image, outside } = warpAffine(img, { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }, 64, 48);
    expect(Array.from(image.data)).toEqual(Array.from(img.data));
    expect(outside).toBe(0);
  });

  it("interpolates bilinearly between pixel centres", () => {
    // Output (0, 0) samples source (10.75, 20.25): R = 10.75 -> 11, G = 20.25 -> 20, B = 31.
    const { image } = warpAffine(img, { a: 1, b: 0, c: 10.75, d: 0, e: 1, f: 20.25 }, 4, 4);
    expect(at(image, 0, 0)).toEqual([11, 20, 31, 255]);
    expect(at(image, 2, 1)).toEqual([13, 21, 34, 255]);
  });

  it("fills outside the image with black and counts it", () => {
    const { image, outside } = warpAffine(img, { a: 1, b: 0, c: -32, d: 0, e: 1, f: 0 }, 64, 48);
    expect(at(image, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(at(image, 40, 10)).toEqual([8, 10, 18, 255]);
    // Columns 0-31 sample x = -32..-1: outside.
    expect(outside).toBe(0.5);
  });
});

describe("FaceAligner", () => {
  it("maps the five points exactly onto the reference, and samples the photo where they were", () => {
    // A "photo" whose face points are the reference scaled by 2, rotated 30°, shifted;
    // its pixels encode their own coordinates: R = x / 2, G = y / 2.
    const W = 512;
    const data = new Uint8ClampedArray(W * W * 4);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) data.set([x / 2, y / 2, 0, 255], (y * W + x) * 4);
    const photo = { data, width: W, height: W };
    const t = (30 * Math.PI) / 180;
    const m = { a: 2 * Math.cos(t), b: -2 * Math.sin(t), c: 200, d: 2 * Math.sin(t), e: 2 * Math.cos(t), f: 100 };
    // Continuous coordinates = pixel index + 0.5 (the aligner's input convention).
    const pts = ARCFACE_112.map((p) => {
      const q = applyAffine(m, p);
      return { x: q.x + 0.5, y: q.y + 0.5 };
    });
    const aligned = new FaceAligner().align(photo, pts);
    for (let i = 0; i < 5; i++) {
      const q = applyAffine(aligned.transform, pts[i]!);
      expect(q.x).toBeCloseTo(ARCFACE_112[i]!.x, 9);
      expect(q.y).toBeCloseTo(ARCFACE_112[i]!.y, 9);
    }
    expect(aligned.outside).toBe(0);
    // 2x minification goes through the anti-aliasing path; a linear ramp survives area filtering.
    for (const [u, v] of [
      [56, 71],
      [10, 10],
      [100, 90],
    ] as const) {
      const src = applyAffine(invertAffine(aligned.transform), { x: u, y: v });
      const px = at(aligned.image, u, v);
      expect(Math.abs(px[0]! - (src.x - 0.5) / 2)).toBeLessThan(1.5);
      expect(Math.abs(px[1]! - (src.y - 0.5) / 2)).toBeLessThan(1.5);
    }
  });
});
