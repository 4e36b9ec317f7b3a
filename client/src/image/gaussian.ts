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

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/**
 * Separable Gaussian blur of R, G and B (edges repeat the border pixel), as
 * unrounded floats, 3 per pixel: the sharpening stage needs the exact mask,
 * the evaluation's blur perturbation rounds it into an image.
 */
export function gaussianBlurRgb(image: RgbaImage, sigma: number): Float32Array {
  const { width: w, height: h, data: src } = image;
  const kernel = gaussianKernel(sigma);
  const r = (kernel.length - 1) / 2;
  const tmp = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = -r; i <= r; i++) {
        const s = (y * w + clamp(x + i, 0, w - 1)) * 4;
        const wt = kernel[i + r]!;
        a += wt * src[s]!;
        b += wt * src[s + 1]!;
        c += wt * src[s + 2]!;
      }
      const t = (y * w + x) * 3;
      tmp[t] = a;
      tmp[t + 1] = b;
      tmp[t + 2] = c;
    }
  }
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = -r; i <= r; i++) {
        const t = (clamp(y + i, 0, h - 1) * w + x) * 3;
        const wt = kernel[i + r]!;
        a += wt * tmp[t]!;
        b += wt * tmp[t + 1]!;
        c += wt * tmp[t + 2]!;
      }
      const o = (y * w + x) * 3;
      out[o] = a;
      out[o + 1] = b;
      out[o + 2] = c;
    }
  }
  return out;
}
