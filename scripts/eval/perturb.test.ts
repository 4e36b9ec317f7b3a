import { describe, expect, it } from "vitest";
import {
  areaResize,
  brightness,
  gaussianBlur,
  jpegRecompress,
  perturb,
  PERTURBATIONS,
  rotate,
  saltAndPepper,
} from "./perturb.js";
import { gaussianKernel } from "../../client/src/image/gaussian.js";
import { mulberry32 } from "./prng.js";
import type { RgbaImage } from "./types.js";

function image(w: number, h: number, f: (x: number, y: number, c: number) => number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 4; c++) data[(y * w + x) * 4 + c] = c === 3 ? 255 : f(x, y, c);
  return { data, width: w, height: h };
}
const noise = (w: number, h: number, seed = 1) => {
  const r = mulberry32(seed);
  return image(w, h, () => Math.floor(r() * 256));
};
const px = (img: RgbaImage, x: number, y: number, c = 0) => img.data[(y * img.width + x) * 4 + c]!;
function meanRgb(img: RgbaImage): number {
  let s = 0;
  for (let k = 0; k < img.data.length; k += 4) s += img.data[k]! + img.data[k + 1]! + img.data[k + 2]!;
  return s / ((img.data.length / 4) * 3);
}

describe("perturbations", () => {
  it("has stable names, and every one is deterministic for a seed", () => {
    expect(PERTURBATIONS).toEqual(["brightness+40", "brightness-40", "rotate+15", "rotate-15", "saltpepper2", "blur2", "jpeg30", "downscale50"]);
    const img = noise(40, 30);
    for (const name of PERTURBATIONS) {
      const a = perturb(name, img, 42);
      const b = perturb(name, img, 42);
      expect(Buffer.from(a.data).equals(Buffer.from(b.data)), name).toBe(true);
      expect(Buffer.from(a.data).equals(Buffer.from(img.data)), `${name} changes the image`).toBe(false);
    }
  });

  it("brightness scales RGB by 1.4 or 0.6, clamps at 255 and keeps alpha", () => {
    const img = image(3, 1, (x) => [100, 200, 0][x]!);
    const up = brightness(img, 1.4);
    expect([px(up, 0, 0), px(up, 1, 0), px(up, 2, 0), px(up, 0, 0, 3)]).toEqual([140, 255, 0, 255]);
    const down = perturb("brightness-40", img, 0);
    expect([px(down, 0, 0), px(down, 1, 0), px(down, 2, 0)]).toEqual([60, 120, 0]);
  });

  it("rotation by 0 is the identity", () => {
    const img = noise(31, 24);
    expect(Buffer.from(rotate(img, 0).data).equals(Buffer.from(img.data))).toBe(true);
  });

  it("rotates counter-clockwise about the centre for positive angles", () => {
    const img = image(5, 5, (x, y) => (x === 4 && y === 2 ? 255 : 0)); // a dot right of the centre
    const r = rotate(img, 90);
    expect(px(r, 2, 0)).toBe(255); // now above the centre
    expect(px(r, 4, 2)).toBe(0);
    expect(px(rotate(img, -90), 2, 4)).toBe(255); // clockwise: below
  });

  it("rotate+15 then rotate-15 gives back the centre of a smooth image", () => {
    const img = image(64, 64, (x, y, c) => 128 + 60 * Math.sin(x / 7 + c) * Math.cos(y / 9));
    const back = perturb("rotate-15", perturb("rotate+15", img, 0), 0);
    let diff = 0;
    let n = 0;
    for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) {
      diff += Math.abs(px(back, x, y) - px(img, x, y));
      n++;
    }
    expect(diff / n).toBeLessThan(1.5);
  });

  it("salt-and-pepper turns about 2% of pixels black or white, the same ones for the same seed", () => {
    const img = image(200, 200, () => 128);
    const a = saltAndPepper(img, 0.02, 7);
    let changed = 0;
    for (let k = 0; k < a.data.length; k += 4) {
      if (a.data[k] === 128) continue;
      changed++;
      expect([0, 255]).toContain(a.data[k]);
      expect(a.data[k + 1]).toBe(a.data[k]);
      expect(a.data[k + 3]).toBe(255);
    }
    expect(changed / 40000).toBeGreaterThan(0.017);
    expect(changed / 40000).toBeLessThan(0.023);
    expect(Buffer.from(saltAndPepper(img, 0.02, 7).data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(saltAndPepper(img, 0.02, 8).data).equals(Buffer.from(a.data))).toBe(false);
  });

  it("blur uses a normalised kernel of radius 3 sigma and preserves the mean", () => {
    const k = gaussianKernel(2);
    expect(k.length).toBe(13);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const flat = image(20, 20, () => 77);
    expect(Buffer.from(gaussianBlur(flat, 2).data).equals(Buffer.from(flat.data))).toBe(true);
    const img = noise(60, 60, 3);
    const b = perturb("blur2", img, 0);
    expect(Math.abs(meanRgb(b) - meanRgb(img))).toBeLessThan(0.5);
    // Noise is smoothed: neighbouring pixels become much closer.
    const rough = (m: RgbaImage) => {
      let s = 0;
      for (let y = 0; y < 60; y++) for (let x = 1; x < 60; x++) s += Math.abs(px(m, x, y) - px(m, x - 1, y));
      return s;
    };
    expect(rough(b)).toBeLessThan(rough(img) / 5);
  });

  it("JPEG quality 30 keeps the size and stays close on a smooth image", () => {
    const img = image(48, 32, (x, y, c) => 40 + 3 * x + 2 * y + 20 * c);
    const j = jpegRecompress(img, 30);
    expect([j.width, j.height]).toEqual([48, 32]);
    let diff = 0;
    for (let k = 0; k < j.data.length; k += 4) diff += Math.abs(j.data[k]! - img.data[k]!);
    expect(diff / (48 * 32)).toBeLessThan(12);
  });

  it("downscale50 halves the dimensions by area averaging", () => {
    const img = noise(250, 250);
    const d = perturb("downscale50", img, 0);
    expect([d.width, d.height]).toEqual([125, 125]);
    expect(px(d, 3, 5)).toBe(Math.round((px(img, 6, 10) + px(img, 7, 10) + px(img, 6, 11) + px(img, 7, 11)) / 4));
    const checker = image(8, 8, (x, y) => ((x + y) % 2 ? 255 : 0));
    const c = areaResize(checker, 4, 4);
    for (let k = 0; k < c.data.length; k += 4) expect(c.data[k]).toBe(128);
    const odd = perturb("downscale50", image(5, 3, () => 90), 0);
    expect([odd.width, odd.height]).toEqual([3, 2]);
    for (let k = 0; k < odd.data.length; k += 4) expect(odd.data[k]).toBe(90);
  });
});
