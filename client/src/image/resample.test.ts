import { describe, expect, it } from "vitest";
import { capSize, resampleRegion, resampleToPlanes, ResampleScratch, resize } from "./resample.js";
import type { RgbaImage } from "./types.js";

function fromGrey(w: number, h: number, f: (x: number, y: number) => number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([f(x, y), f(x, y), f(x, y), 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}
const grey = (img: RgbaImage, x: number, y: number) => img.data[(y * img.width + x) * 4]!;

describe("resample", () => {
  it("shrinks by an exact area average (2x2 blocks)", () => {
    const img = fromGrey(4, 2, (x, y) => [10, 30, 100, 200, 50, 70, 0, 100][y * 4 + x]!);
    const r = resize(img, 2, 1);
    expect(grey(r, 0, 0)).toBe(40); // (10 + 30 + 50 + 70) / 4
    expect(grey(r, 1, 0)).toBe(100); // (100 + 200 + 0 + 100) / 4
  });

  it("area-averages fractional footprints (3 -> 2 pixels)", () => {
    const img = fromGrey(3, 1, (x) => [0, 90, 180][x]!);
    const r = resize(img, 2, 1);
    // Footprints [0, 1.5) and [1.5, 3): (0 + 0.5*90)/1.5 = 30, (0.5*90 + 180)/1.5 = 150.
    expect([grey(r, 0, 0), grey(r, 1, 0)]).toEqual([30, 150]);
  });

  it("keeps a flat image flat at any scale, and kills a pixel-level checkerboard when shrinking", () => {
    const flat = fromGrey(37, 23, () => 77);
    for (const [w, h] of [
      [5, 3],
      [80, 61],
      [37, 23],
    ]) {
      const r = resize(flat, w!, h!);
      for (let i = 0; i < r.data.length; i += 4) expect(r.data[i]).toBe(77);
    }
    const checker = fromGrey(64, 64, (x, y) => ((x + y) % 2 ? 255 : 0));
    const r = resize(checker, 16, 16);
    for (let i = 0; i < r.data.length; i += 4) expect(Math.abs(r.data[i]! - 127.5)).toBeLessThanOrEqual(0.5);
  });

  it("enlarges bilinearly", () => {
    const img = fromGrey(2, 1, (x) => [0, 100][x]!);
    const r = resize(img, 4, 1);
    // Output centres at source 0.25, 0.75, 1.25, 1.75 -> clamped edge, 25, 75, edge.
    expect([0, 1, 2, 3].map((x) => grey(r, x, 0))).toEqual([0, 25, 75, 100]);
  });

  it("crops a region and repeats edge pixels outside the image", () => {
    const img = fromGrey(10, 10, (x) => x * 20);
    const r = resampleRegion(img, { x: -2, y: 0, width: 4, height: 10 }, 4, 1);
    expect([0, 1, 2, 3].map((x) => grey(r, x, 0))).toEqual([0, 0, 0, 20]);
  });

  it("writes normalised CHW planes with padding untouched", () => {
    const img: RgbaImage = { data: new Uint8ClampedArray([255, 127, 0, 255]), width: 1, height: 1 };
    const data = new Float32Array(3 * 2 * 2).fill(9);
    resampleToPlanes(img, { x: 0, y: 0, width: 1, height: 1 }, 1, 1, {
      data,
      planeWidth: 2,
      planeHeight: 2,
      offsetX: 1,
      offsetY: 0,
      mean: 127,
      std: 128,
      red: 2,
    });
    // BGR: plane 0 = blue, plane 2 = red; content at (1, 0) = index 1 of each plane.
    expect(Array.from(data)).toEqual([9, -127 / 128, 9, 9, 9, 0, 9, 9, 9, 1, 9, 9]);
  });

  it("matches a brute-force area filter on three-tap geometries (the unrolled paths)", () => {
    // 25 -> 17 columns and 29 -> 22 rows: footprints of 1.47 and 1.32 px touch up to 3 pixels.
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const w = 25;
    const h = 29;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : rnd();
    const img: RgbaImage = { data, width: w, height: h };
    const [W, H] = [17, 22];
    const cover = (i: number, scale: number, j: number) => Math.max(0, Math.min(j + 1, (i + 1) * scale) - Math.max(j, i * scale));
    const ref = (x: number, y: number, ch: number) => {
      let s = 0;
      let n = 0;
      for (let j = 0; j < h; j++) {
        for (let k = 0; k < w; k++) {
          const c = cover(x, w / W, k) * cover(y, h / H, j);
          s += c * data[(j * w + k) * 4 + ch]!;
          n += c;
        }
      }
      return s / n;
    };
    const r = resize(img, W, H);
    const planes = new Float32Array(3 * W * H);
    resampleToPlanes(img, { x: 0, y: 0, width: w, height: h }, W, H, {
      data: planes,
      planeWidth: W,
      planeHeight: H,
      offsetX: 0,
      offsetY: 0,
      mean: 127,
      std: 128,
      red: 0,
    });
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const want = ref(x, y, ch);
          expect(Math.abs(r.data[(y * W + x) * 4 + ch]! - want)).toBeLessThanOrEqual(0.5 + 1e-3);
          expect(planes[ch * W * H + y * W + x]!).toBeCloseTo((want - 127) / 128, 4);
        }
      }
    }
  });

  it("caps the longer side, keeping the aspect ratio", () => {
    const img = fromGrey(400, 100, () => 5);
    expect(capSize(img, 1000)).toBe(img);
    const c = capSize(img, 200);
    expect([c.width, c.height]).toEqual([200, 50]);
  });

  it("does not depend on what the scratch held before (stale or missing rows under zero-weight taps)", () => {
    // Regions like the landmark crops: off-grid, some shrinking by 1-2x (3 taps), some enlarging.
    const img = fromGrey(250, 250, (x, y) => (x * 7 + y * 13) % 256);
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 200; i++) {
      const side = 40 + rand() * 160;
      const region = { x: rand() * (250 - side), y: rand() * (250 - side), width: side, height: side };
      const n = rand() < 0.5 ? 64 : 112;
      const fresh = resampleRegion(img, region, n, n, undefined, new ResampleScratch());
      const dirty = new ResampleScratch();
      dirty.rows(250 * 250 * 3).fill(Number.NaN);
      const again = resampleRegion(img, region, n, n, undefined, dirty);
      expect(again.data).toEqual(fresh.data);
      // The content is a smooth ramp mod 256: a NaN read would store 0 in the middle of it.
      const planes = new Float32Array(3 * n * n);
      const target = { data: planes, planeWidth: n, planeHeight: n, offsetX: 0, offsetY: 0, mean: 0, std: 1, red: 0 as const };
      resampleToPlanes(img, region, n, n, target, dirty);
      expect(planes.every(Number.isFinite)).toBe(true);
    }
  });
});
