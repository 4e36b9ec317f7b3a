import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../image/types.js";
import { gaussianKernel } from "../../image/gaussian.js";
import { unsharpMask } from "./sharpen.js";

function image(w: number, h: number, f: (x: number, y: number) => number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([f(x, y), f(x, y), f(x, y), 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

describe("unsharpMask", () => {
  it("uses a normalised kernel", () => {
    const k = gaussianKernel(1.2);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(k.length).toBe(2 * Math.ceil(3.6) + 1);
  });

  it("leaves a flat image unchanged and keeps alpha", () => {
    const flat = image(16, 16, () => 120);
    const out = unsharpMask(flat, 1, 1.5);
    expect([...out.data]).toEqual([...flat.data]);
  });

  it("steepens an edge (overshoot on both sides), clamped to 0-255", () => {
    const edge = image(32, 8, (x) => (x < 16 ? 60 : 180));
    const out = unsharpMask(edge, 1, 1);
    const at = (x: number) => out.data[(4 * 32 + x) * 4]!;
    expect(at(15)).toBeLessThan(60);
    expect(at(16)).toBeGreaterThan(180);
    expect(at(0)).toBe(60);
    expect(at(31)).toBe(180);
    const hard = unsharpMask(
      image(32, 8, (x) => (x < 16 ? 0 : 255)),
      1,
      3,
    );
    for (const v of hard.data) expect(v).toBeGreaterThanOrEqual(0);
  });
});
