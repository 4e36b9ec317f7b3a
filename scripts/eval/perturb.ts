/**
 * The robustness perturbations of issue 4, applied to the probe image of
 * each pair. Deterministic: the only random one (salt-and-pepper) draws from
 * mulberry32 seeded by the caller (from the image's bytes, so an image gets
 * the same noise in every run and the embedding cache stays valid).
 */
import jpeg from "jpeg-js";
import { gaussianBlurRgb } from "../../client/src/image/gaussian.js";
import { mulberry32 } from "./prng.js";
import type { RgbaImage } from "./types.js";

export const PERTURBATIONS = [
  "brightness+40",
  "brightness-40",
  "rotate+15",
  "rotate-15",
  "saltpepper2",
  "blur2",
  "jpeg30",
  "downscale50",
] as const;

export type PerturbationName = (typeof PERTURBATIONS)[number];

export function isPerturbation(name: string): name is PerturbationName {
  return (PERTURBATIONS as readonly string[]).includes(name);
}

export function perturb(name: PerturbationName, image: RgbaImage, seed: number): RgbaImage {
  switch (name) {
    case "brightness+40":
      return brightness(image, 1.4);
    case "brightness-40":
      return brightness(image, 0.6);
    case "rotate+15":
      return rotate(image, 15);
    case "rotate-15":
      return rotate(image, -15);
    case "saltpepper2":
      return saltAndPepper(image, 0.02, seed);
    case "blur2":
      return gaussianBlur(image, 2);
    case "jpeg30":
      return jpegRecompress(image, 30);
    case "downscale50":
      return areaResize(image, Math.max(1, Math.round(image.width / 2)), Math.max(1, Math.round(image.height / 2)));
  }
}

function blank(width: number, height: number): { data: Uint8ClampedArray; width: number; height: number } {
  return { data: new Uint8ClampedArray(width * height * 4), width, height };
}

/** Multiplies R, G and B by `factor` (1.4 = +40%), rounding and clamping to 0-255; alpha is kept. */
export function brightness(image: RgbaImage, factor: number): RgbaImage {
  const out = blank(image.width, image.height);
  const src = image.data;
  for (let k = 0; k < src.length; k += 4) {
    out.data[k] = Math.round(src[k]! * factor);
    out.data[k + 1] = Math.round(src[k + 1]! * factor);
    out.data[k + 2] = Math.round(src[k + 2]! * factor);
    out.data[k + 3] = src[k + 3]!;
  }
  return out;
}

/**
 * In-plane rotation by `degrees` about the image centre, counter-clockwise
 * as displayed for positive angles. Same size; bilinear sampling; pixels
 * that come from outside the source repeat the nearest edge pixel.
 */
export function rotate(image: RgbaImage, degrees: number): RgbaImage {
  const { width: w, height: h, data: src } = image;
  const out = blank(w, h);
  const rad = (degrees * Math.PI) / 180;
  const cos = degrees === 0 ? 1 : Math.cos(rad);
  const sin = degrees === 0 ? 0 : Math.sin(rad);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: the source point that lands on (x, y).
      const dx = x - cx;
      const dy = y - cy;
      const sx = dx * cos - dy * sin + cx;
      const sy = dx * sin + dy * cos + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const xa = clamp(x0, 0, w - 1);
      const xb = clamp(x0 + 1, 0, w - 1);
      const ya = clamp(y0, 0, h - 1);
      const yb = clamp(y0 + 1, 0, h - 1);
      const o = (y * w + x) * 4;
      for (let c = 0; c < 4; c++) {
        const p00 = src[(ya * w + xa) * 4 + c]!;
        const p10 = src[(ya * w + xb) * 4 + c]!;
        const p01 = src[(yb * w + xa) * 4 + c]!;
        const p11 = src[(yb * w + xb) * 4 + c]!;
        const top = p00 + fx * (p10 - p00);
        const bottom = p01 + fx * (p11 - p01);
        out.data[o + c] = Math.round(top + fy * (bottom - top));
      }
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Each pixel, with probability `amount`, becomes black or white (even odds); alpha is kept. */
export function saltAndPepper(image: RgbaImage, amount: number, seed: number): RgbaImage {
  const rand = mulberry32(seed);
  const out = { data: new Uint8ClampedArray(image.data), width: image.width, height: image.height };
  for (let k = 0; k < out.data.length; k += 4) {
    if (rand() >= amount) continue;
    const v = rand() < 0.5 ? 0 : 255;
    out.data[k] = v;
    out.data[k + 1] = v;
    out.data[k + 2] = v;
  }
  return out;
}

/** Gaussian blur (the SDK's own, client/src/image/gaussian.ts), rounded into an image; alpha is kept. */
export function gaussianBlur(image: RgbaImage, sigma: number): RgbaImage {
  const blurred = gaussianBlurRgb(image, sigma);
  const out = blank(image.width, image.height);
  for (let i = 0, n = image.width * image.height; i < n; i++) {
    out.data[i * 4] = Math.round(blurred[i * 3]!);
    out.data[i * 4 + 1] = Math.round(blurred[i * 3 + 1]!);
    out.data[i * 4 + 2] = Math.round(blurred[i * 3 + 2]!);
    out.data[i * 4 + 3] = image.data[i * 4 + 3]!;
  }
  return out;
}

/** Encodes as baseline JPEG at `quality` (jpeg-js) and decodes it again. */
export function jpegRecompress(image: RgbaImage, quality: number): RgbaImage {
  const encoded = jpeg.encode(
    { data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), width: image.width, height: image.height },
    quality,
  );
  const d = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: true });
  return { data: new Uint8ClampedArray(d.data.buffer, d.data.byteOffset, d.data.byteLength), width: d.width, height: d.height };
}

/** For each output index, the source indices it covers and their weights (area coverage, summing to 1). */
function areaWeights(from: number, to: number): { idx: number[]; wt: number[] }[] {
  const scale = from / to;
  const out: { idx: number[]; wt: number[] }[] = [];
  for (let o = 0; o < to; o++) {
    const lo = o * scale;
    const hi = (o + 1) * scale;
    const idx: number[] = [];
    const wt: number[] = [];
    for (let s = Math.floor(lo); s < Math.min(from, Math.ceil(hi)); s++) {
      const cover = Math.min(hi, s + 1) - Math.max(lo, s);
      if (cover > 1e-12) {
        idx.push(s);
        wt.push(cover / scale);
      }
    }
    out.push({ idx, wt });
  }
  return out;
}

/** Area-average (box filter) resampling of all four channels to width x height (shrinking). */
export function areaResize(image: RgbaImage, width: number, height: number): RgbaImage {
  const { width: w, height: h, data: src } = image;
  const cols = areaWeights(w, width);
  const rows = areaWeights(h, height);
  const tmp = new Float32Array(width * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < width; x++) {
      const { idx, wt } = cols[x]!;
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = 0; k < idx.length; k++) acc += wt[k]! * src[(y * w + idx[k]!) * 4 + c]!;
        tmp[(y * width + x) * 4 + c] = acc;
      }
    }
  }
  const out = blank(width, height);
  for (let y = 0; y < height; y++) {
    const { idx, wt } = rows[y]!;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = 0; k < idx.length; k++) acc += wt[k]! * tmp[(idx[k]! * width + x) * 4 + c]!;
        out.data[(y * width + x) * 4 + c] = Math.round(acc);
      }
    }
  }
  return out;
}
