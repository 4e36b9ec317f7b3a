import { describe, expect, it } from "vitest";
import {
  areaResize,
  brightness,
  cameraJpeg,
  channelImpulse,
  contrast,
  lightness,
  motionBlur,
  gaussianBlur,
  jpegRecompress,
  perturb,
  PERTURBATIONS,
  rotate,
  saltAndPepper,
} from "./perturb.js";
import { gaussianKernel } from "../../../client/src/image/gaussian.js";
import { mulberry32 } from "../data/prng.js";
import type { RgbaImage } from "../types.js";

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
    expect(PERTURBATIONS).toEqual([
      "brightness+40",
      "brightness-40",
      "contrast+40",
      "contrast-40",
      "lightness+40",
      "lightness-40",
      "rotate+15",
      "rotate-15",
      "saltpepper2",
      "saltpepper2-jpeg75",
      "channel-impulse3.5-jpeg75",
      "blur2",
      "blur2-jpeg75",
      "motion7-jpeg75",
      "jpeg30",
      "downscale50",
    ]);
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
    for (let y = 16; y < 48; y++)
      for (let x = 16; x < 48; x++) {
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
    const odd = perturb(
      "downscale50",
      image(5, 3, () => 90),
      0,
    );
    expect([odd.width, odd.height]).toEqual([3, 2]);
    for (let k = 0; k < odd.data.length; k += 4) expect(odd.data[k]).toBe(90);
  });

  it("contrast scales about mid-grey both ways, clamped", () => {
    const img = image(3, 1, (x) => [28, 128, 228][x]!);
    const up = contrast(img, 1.4);
    expect([px(up, 0, 0), px(up, 1, 0), px(up, 2, 0), px(up, 0, 0, 3)]).toEqual([0, 128, 255, 255]);
    const down = contrast(img, 0.6);
    expect([px(down, 0, 0), px(down, 1, 0), px(down, 2, 0)]).toEqual([68, 128, 188]);
  });

  it("lightness scales HSL lightness like ImageMagick's -modulate: greys scale, hue and saturation are kept", () => {
    const grey = image(1, 1, () => 100);
    expect([px(lightness(grey, 1.4), 0, 0), px(lightness(grey, 0.6), 0, 0)]).toEqual([140, 60]);
    // A dark orange (L 0.3, S 1): at 0.6x lightness stays orange at the same saturation, so its channels keep their ratios.
    const orange = image(1, 1, (_x, _y, c) => [153, 76, 0][c]!);
    const d = lightness(orange, 0.6);
    expect([px(d, 0, 0), px(d, 0, 0, 1), px(d, 0, 0, 2)]).toEqual([92, 46, 0]);
    // Brightening past L 0.5 washes colour out towards white (unlike a gain, which saturates it).
    const b = lightness(orange, 2);
    expect(px(b, 0, 0)).toBe(255);
    expect(px(b, 0, 0, 2)).toBe(51); // L 0.6 at S 1: min channel 0.6 - 0.4
  });

  it("channel impulse hits each channel independently at the rate given, with 0 or 255", () => {
    const img = image(200, 200, () => 128);
    const a = channelImpulse(img, 0.035, 3);
    let values = 0;
    let pixels = 0;
    let allThree = 0;
    for (let k = 0; k < a.data.length; k += 4) {
      let hit = 0;
      for (let c = 0; c < 3; c++) {
        if (a.data[k + c] === 128) continue;
        expect([0, 255]).toContain(a.data[k + c]);
        hit++;
      }
      values += hit;
      if (hit) pixels++;
      if (hit === 3) allThree++;
      expect(a.data[k + 3]).toBe(255);
    }
    // ImageMagick's -attenuate 0.35 +noise Impulse on a flat grey: 3.5% of values, 10.2% of pixels.
    expect(values / 120000).toBeGreaterThan(0.032);
    expect(values / 120000).toBeLessThan(0.038);
    expect(pixels / 40000).toBeGreaterThan(0.094);
    expect(pixels / 40000).toBeLessThan(0.11);
    expect(allThree).toBeLessThan(20);
  });

  it("motion blur averages along its direction only, and keeps the mean", () => {
    const stripes = image(40, 40, (x) => (x % 2 ? 200 : 40));
    // Along y: the stripes run along the motion, nothing changes.
    expect(Buffer.from(motionBlur(stripes, 7, 90).data).equals(Buffer.from(stripes.data))).toBe(true);
    // Across them: 7 samples over alternating columns average to (4 x 200 + 3 x 40) / 7 or (3 x 200 + 4 x 40) / 7.
    const across = motionBlur(stripes, 7, 0);
    expect([px(across, 20, 10), px(across, 21, 10)].sort()).toEqual([Math.round(760 / 7), Math.round(920 / 7)].sort());
    const img = noise(50, 50, 9);
    expect(Math.abs(meanRgb(motionBlur(img, 7, 33)) - meanRgb(img))).toBeLessThan(1);
  });

  it("camera JPEG halves chroma resolution: a one-pixel colour dot spreads its colour over its 2x2 block", () => {
    const img = image(16, 16, () => 128);
    (img.data as Uint8ClampedArray).set([255, 128, 128], (5 * 16 + 5) * 4);
    const j = cameraJpeg(img, 95);
    expect([j.width, j.height]).toEqual([16, 16]);
    // The red excess (R - G) of the dot is shared with its 2x2 chroma block (4, 4)-(5, 5).
    const redness = (x: number, y: number) => px(j, x, y, 0) - px(j, x, y, 1);
    expect(redness(5, 5)).toBeLessThan(80);
    expect(redness(4, 4)).toBeGreaterThan(10);
    expect(Math.abs(redness(10, 10))).toBeLessThan(6);
  });
});
