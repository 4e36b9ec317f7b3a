import { describe, expect, it } from "vitest";
import { DEFAULT_IMPULSE, suppressImpulseNoise } from "./impulse.js";
import type { RgbaImage } from "./types.js";

/** A smooth mid-tone gradient (no extreme pixels; luma ~95-150, so both salt and pepper stand out), w x h. */
function gradient(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([100 + x, 90 + y, 110 + ((x + y) >> 1), 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

/** Deterministic salt-and-pepper at `rate` (every pixel index hit by a simple LCG). */
function saltPepper(img: RgbaImage, rate: number): { img: RgbaImage; hit: number[] } {
  const data = new Uint8ClampedArray(img.data);
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const hit: number[] = [];
  for (let i = 0; i < img.width * img.height; i++) {
    if (rand() >= rate) continue;
    const v = rand() < 0.5 ? 0 : 255;
    data.set([v, v, v], i * 4);
    hit.push(i);
  }
  return { img: { data, width: img.width, height: img.height }, hit };
}

describe("suppressImpulseNoise", () => {
  it("returns a clean image as it is (same object, no impulses)", () => {
    const img = gradient(64, 48);
    const r = suppressImpulseNoise(img);
    expect(r.image).toBe(img);
    expect(r.fraction).toBe(0);
    expect(r.applied).toBe(false);
  });

  it("restores salt-and-pepper pixels from their neighbours and leaves every other pixel exact", () => {
    const clean = gradient(64, 48);
    const { img, hit } = saltPepper(clean, 0.02);
    expect(hit.length).toBeGreaterThan(30);
    const r = suppressImpulseNoise(img);
    expect(r.applied).toBe(true);
    expect(r.fraction).toBeGreaterThan(DEFAULT_IMPULSE.minFraction);
    const hitSet = new Set(hit);
    let maxErr = 0;
    for (let i = 0; i < 64 * 48; i++) {
      for (let c = 0; c < 4; c++) {
        const got = r.image.data[i * 4 + c]!;
        if (hitSet.has(i)) maxErr = Math.max(maxErr, Math.abs(got - clean.data[i * 4 + c]!));
        else expect(got).toBe(img.data[i * 4 + c]);
      }
    }
    // On a smooth gradient, the median of the neighbours is within a couple of levels.
    expect(maxErr).toBeLessThanOrEqual(3);
    // The input is not modified.
    expect(img.data[hit[0]! * 4]).toSatisfy((v: number) => v === 0 || v === 255);
  });

  it("keeps large dark or bright regions (not isolated) and sparse extremes below minFraction", () => {
    const img = gradient(40, 40);
    const d = img.data as Uint8ClampedArray;
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) d.set([0, 0, 0], (y * 40 + x) * 4); // black band
    d.set([255, 255, 255], (30 * 40 + 20) * 4); // one isolated white pixel: 1/1600 < minFraction
    const r = suppressImpulseNoise(img);
    expect(r.applied).toBe(false);
    expect(r.fraction).toBeCloseTo(1 / 1600, 9);
    expect(r.image).toBe(img);
  });

  it("finds exactly the impulses of the plain rule (every extreme pixel's median computed), on images with large extreme regions", () => {
    // The plain rule, as first written: luma of the 8 neighbours and their median for every extreme pixel.
    const luma = (d: ArrayLike<number>, p: number) => (77 * d[p]! + 150 * d[p + 1]! + 29 * d[p + 2]!) >> 8;
    const plainFraction = (img: RgbaImage, o: typeof DEFAULT_IMPULSE) => {
      const { width: w, height: h, data: d } = img;
      let found = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const p = (y * w + x) * 4;
          const pepper = d[p]! <= o.low && d[p + 1]! <= o.low && d[p + 2]! <= o.low;
          const salt = d[p]! >= o.high && d[p + 1]! >= o.high && d[p + 2]! >= o.high;
          if (!pepper && !salt) continue;
          const nb: number[] = [];
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if ((dx || dy) && xx >= 0 && xx < w && yy >= 0 && yy < h) nb.push(luma(d, (yy * w + xx) * 4));
            }
          }
          if (nb.length === 0) continue;
          nb.sort((a, b) => a - b);
          const n = nb.length;
          const med = n % 2 ? nb[n >> 1]! : (nb[(n >> 1) - 1]! + nb[n >> 1]!) / 2;
          if (Math.abs(med - luma(d, p)) > o.contrast) found++;
        }
      }
      return found / (w * h);
    };
    let s = 99;
    const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let withImpulses = 0;
    for (let trial = 0; trial < 12; trial++) {
      const w = 17 + trial * 3;
      const h = 13 + trial * 2;
      const data = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) {
        const x = i % w;
        // Letterbox-like dark bars, a clipped region, scattered impulses of both kinds and mid-tones.
        const u = rand();
        const v = x < 3 ? 0 : x > w - 4 ? 255 : u < 0.08 ? 0 : u < 0.16 ? 255 : u < 0.2 ? 5 + ((rand() * 6) | 0) : 40 + ((rand() * 180) | 0);
        data.set([v, Math.min(255, v + ((rand() * 3) | 0)), v, 255], i * 4);
      }
      const img = { data, width: w, height: h };
      for (const o of [DEFAULT_IMPULSE, { ...DEFAULT_IMPULSE, contrast: 10 }, { ...DEFAULT_IMPULSE, low: 40, high: 200, contrast: 30 }]) {
        const plain = plainFraction(img, o);
        expect(suppressImpulseNoise(img, o).fraction, `trial ${trial}`).toBe(plain);
        if (plain > 0) withImpulses++;
      }
    }
    expect(withImpulses).toBeGreaterThan(24); // of 36: the comparison is not between empty results
  });
});
