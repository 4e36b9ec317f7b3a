import { describe, expect, it } from "vitest";
import { DEFAULT_DENOISE, denoise, median3x3, noiseSigma } from "./noise.js";
import type { RgbaImage } from "./types.js";

/** A smooth gradient with optional additive grey noise of standard deviation `sigma` (Box-Muller, fixed LCG seed). */
function gradient(w: number, h: number, sigma = 0): RgbaImage {
  let s = 99;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) + 1) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const n = sigma * gauss();
      data.set([90 + x / 2 + n, 80 + y / 2 + n, 100 + (x + y) / 4 + n, 255], (y * w + x) * 4);
    }
  return { data, width: w, height: h };
}

describe("noiseSigma", () => {
  it("is near zero on smooth structure and near the standard deviation of added noise", () => {
    expect(noiseSigma(gradient(120, 100))).toBeLessThan(0.5);
    for (const sigma of [5, 10, 20]) expect(noiseSigma(gradient(120, 100, sigma))).toBeCloseTo(sigma, -0.3);
  });
});

describe("median3x3", () => {
  it("equals a sorted 3x3 median per channel, edges repeated, alpha kept", () => {
    let s = 7;
    const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    const w = 23;
    const h = 17;
    const data = new Uint8ClampedArray(w * h * 4).map(() => rand());
    const out = median3x3({ data, width: w, height: h });
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < 3; k++) {
          const v: number[] = [];
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = Math.min(h - 1, Math.max(0, y + dy));
              const xx = Math.min(w - 1, Math.max(0, x + dx));
              v.push(data[(yy * w + xx) * 4 + k]!);
            }
          v.sort((a, b) => a - b);
          expect(out.data[(y * w + x) * 4 + k]).toBe(v[4]);
        }
        expect(out.data[(y * w + x) * 4 + 3]).toBe(data[(y * w + x) * 4 + 3]);
      }
  });
});

describe("denoise", () => {
  it("returns an image below the noise limit as it is (same object)", () => {
    const img = gradient(64, 48, 1);
    const r = denoise(img);
    expect(r.applied).toBe(false);
    expect(r.image).toBe(img);
    expect(r.sigma).toBeLessThan(DEFAULT_DENOISE.aboveSigma);
  });

  it("median-filters a noisy image, bringing it close to the clean one", () => {
    const clean = gradient(64, 48);
    const noisy = gradient(64, 48, 12);
    const r = denoise(noisy);
    expect(r.applied).toBe(true);
    const err = (img: RgbaImage) => {
      let e = 0;
      for (let i = 0; i < img.data.length; i += 4) e += Math.abs(img.data[i]! - clean.data[i]!);
      return e / (img.data.length / 4);
    };
    expect(err(r.image)).toBeLessThan(err(noisy) / 2);
  });
});
