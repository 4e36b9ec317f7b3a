import type { RgbaImage } from "./types.js";

/** Normalised Gaussian kernel of radius max(1, ceil(3 sigma)). */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : Math.min(v, hi));

/**
 * One 1-D pass over R, G, B of `src` (`stride` values per pixel: 4 for RGBA,
 * 3 for the intermediate) into `dst` (3 floats per pixel), along x or y.
 */
function pass(src: ArrayLike<number>, stride: number, w: number, h: number, kernel: Float64Array, alongX: boolean, dst: Float32Array): void {
  const r = (kernel.length - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = -r; i <= r; i++) {
        const s = (alongX ? y * w + clamp(x + i, 0, w - 1) : clamp(y + i, 0, h - 1) * w + x) * stride;
        const wt = kernel[i + r]!;
        a += wt * src[s]!;
        b += wt * src[s + 1]!;
        c += wt * src[s + 2]!;
      }
      const t = (y * w + x) * 3;
      dst[t] = a;
      dst[t + 1] = b;
      dst[t + 2] = c;
    }
  }
}

/**
 * Separable Gaussian blur of R, G and B (edges repeat the border pixel), as
 * unrounded floats, 3 per pixel: the sharpening stage needs the exact mask,
 * the evaluation's blur perturbation rounds it into an image.
 */
export function gaussianBlurRgb(image: RgbaImage, sigma: number): Float32Array {
  const { width: w, height: h } = image;
  const kernel = gaussianKernel(sigma);
  const tmp = new Float32Array(w * h * 3);
  const out = new Float32Array(w * h * 3);
  pass(image.data, 4, w, h, kernel, true, tmp);
  pass(tmp, 3, w, h, kernel, false, out);
  return out;
}
