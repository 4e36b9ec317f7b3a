import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../image/types.js";
import { DEFAULT_DEBLUR, deblurLinear, estimateMotion, isMotionBlurred } from "./deblur.js";

/** A 112x112 grey texture with detail at every scale and direction (deterministic). */
function texture(): RgbaImage {
  const w = 112;
  const data = new Uint8ClampedArray(w * w * 4);
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const base = new Float32Array(w * w).map(() => rnd());
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      // Smooth a little so it looks like an image, not pure noise.
      let v = 0;
      for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) v += base[Math.min(w - 1, Math.max(0, y + j)) * w + Math.min(w - 1, Math.max(0, x + i))]!;
      const g = 40 + (v / 9) * 170;
      data.set([g, g, g, 255], (y * w + x) * 4);
    }
  }
  return { data, width: w, height: w };
}

/** Mean of `n` whole-pixel shifts along x (theta 0) or y (theta 90°), edges repeated. */
function boxBlur(img: RgbaImage, n: number, alongY: boolean): RgbaImage {
  const { width: w, height: h, data: d } = img;
  const out = new Uint8ClampedArray(d.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let t = 0; t < n; t++) {
          const o = t - (n - 1) / 2;
          const sx = alongY ? x : Math.min(w - 1, Math.max(0, Math.round(x + o)));
          const sy = alongY ? Math.min(h - 1, Math.max(0, Math.round(y + o))) : y;
          s += d[(sy * w + sx) * 4 + k]!;
        }
        out[(y * w + x) * 4 + k] = s / n;
      }
      out[(y * w + x) * 4 + 3] = 255;
    }
  }
  return { data: out, width: w, height: h };
}

const angleDeg = (a: number, b: number) => {
  let d = Math.abs(a - b) % Math.PI;
  if (d > Math.PI / 2) d = Math.PI - d;
  return (d * 180) / Math.PI;
};

describe("estimateMotion", () => {
  // The limits themselves are set on faces (DEFAULT_DEBLUR); on real photos and their motion-blurred
  // probes the decision is checked by scripts/eval/robustness-check.test.ts.
  it("finds the direction of a linear blur, where the ratio drops and the texture turns anisotropic", () => {
    const sharp = texture();
    const m0 = estimateMotion(sharp);
    expect(isMotionBlurred(m0, DEFAULT_DEBLUR)).toBe(false);
    for (const alongY of [false, true]) {
      const m = estimateMotion(boxBlur(sharp, 7, alongY));
      expect(angleDeg(m.theta, alongY ? Math.PI / 2 : 0)).toBeLessThan(8);
      expect(m.ratio).toBeLessThan(m0.ratio);
      expect(m.anisotropy).toBeLessThan(0.7);
    }
  });
});

describe("deblurLinear", () => {
  it("brings a linearly blurred texture closer to the original, keeps alpha, and is deterministic", () => {
    const sharp = texture();
    const blurred = boxBlur(sharp, 5, false);
    const a = deblurLinear(blurred, 0, 5, 10);
    const b = deblurLinear(blurred, 0, 5, 10);
    expect([...a.data]).toEqual([...b.data]);
    const err = (x: RgbaImage) => {
      let s = 0;
      for (let i = 0; i < x.data.length; i += 4) s += (x.data[i]! - sharp.data[i]!) ** 2;
      return s;
    };
    expect(err(a)).toBeLessThan(0.7 * err(blurred));
    for (let i = 3; i < a.data.length; i += 4) expect(a.data[i]).toBe(255);
  });

  it("leaves a flat image flat", () => {
    const flat = { data: new Uint8ClampedArray(16 * 16 * 4).fill(120), width: 16, height: 16 };
    expect(new Set(deblurLinear(flat, 0.7, 6, 10).data).size).toBe(1);
  });
});
