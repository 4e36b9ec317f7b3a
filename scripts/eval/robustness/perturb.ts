/**
 * The robustness perturbations, applied to the probe image of each pair
 * (docs/ACCURACY.md). More than one model of each kind of damage: impulse
 * noise on all channels of a pixel (salt-and-pepper) and on each channel
 * independently (what ImageMagick's `+noise Impulse` does), Gaussian blur
 * (focus) and linear motion blur (shake), each also followed by the JPEG
 * compression a camera or an upload applies; gain, contrast and HSL
 * lightness both ways; rotation; downscaling.
 *
 * Deterministic: the random ones (impulse noise, the direction of motion)
 * draw from mulberry32 seeded by the caller (from the image's bytes, so an
 * image gets the same noise in every run and the embedding cache stays
 * valid).
 */
import jpeg from "jpeg-js";
import { gaussianBlurRgb } from "../../../client/src/image/gaussian.js";
import { luma } from "../../../client/src/image/luma.js";
import { mulberry32 } from "../data/prng.js";
import type { RgbaImage } from "../types.js";
import { lineMean } from "../../../client/src/image/line-mean.js";

export const PERTURBATIONS = [
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
] as const;

/**
 * The JPEG quality that follows noise and blur: LFW's own files are quality
 * 75 with 4:2:0 chroma (ImageMagick's `identify -format %Q`), which is also
 * what ImageMagick keeps when it re-saves one, and the low end of what
 * phone cameras and browsers' canvas encoders write (75-92).
 */
export const CAMERA_JPEG_QUALITY = 75;

/**
 * Per-channel impulse probability: ImageMagick 6.9's `-attenuate 0.35
 * +noise Impulse` sets each of R, G, B independently to 0 or 255 with
 * probability 0.35 x 0.10 (measured on a flat grey image: 3.5% of channel
 * values, 10.2% of pixels with at least one channel hit).
 */
export const CHANNEL_IMPULSE_RATE = 0.035;

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
    case "contrast+40":
      return contrast(image, 1.4);
    case "contrast-40":
      return contrast(image, 0.6);
    case "lightness+40":
      return lightness(image, 1.4);
    case "lightness-40":
      return lightness(image, 0.6);
    case "rotate+15":
      return rotate(image, 15);
    case "rotate-15":
      return rotate(image, -15);
    case "saltpepper2":
      return saltAndPepper(image, 0.02, seed);
    case "saltpepper2-jpeg75":
      return cameraJpeg(saltAndPepper(image, 0.02, seed), CAMERA_JPEG_QUALITY);
    case "channel-impulse3.5-jpeg75":
      return cameraJpeg(channelImpulse(image, CHANNEL_IMPULSE_RATE, seed), CAMERA_JPEG_QUALITY);
    case "blur2":
      return gaussianBlur(image, 2);
    case "blur2-jpeg75":
      return cameraJpeg(gaussianBlur(image, 2), CAMERA_JPEG_QUALITY);
    case "motion7-jpeg75":
      // Length 7 px: the same standard deviation along the motion (7 / sqrt(12) = 2.0 px) as blur2 has in every direction.
      return cameraJpeg(motionBlur(image, 7, 180 * mulberry32(seed)()), CAMERA_JPEG_QUALITY);
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

/** Scales R, G and B about mid-grey: 128 + factor (v - 128), rounded and clamped; alpha is kept. */
export function contrast(image: RgbaImage, factor: number): RgbaImage {
  const out = blank(image.width, image.height);
  const src = image.data;
  for (let k = 0; k < src.length; k += 4) {
    out.data[k] = Math.round(128 + factor * (src[k]! - 128));
    out.data[k + 1] = Math.round(128 + factor * (src[k + 1]! - 128));
    out.data[k + 2] = Math.round(128 + factor * (src[k + 2]! - 128));
    out.data[k + 3] = src[k + 3]!;
  }
  return out;
}

/**
 * Scales the HSL lightness by `factor` (clamped to 1), hue and saturation
 * kept: ImageMagick's `-modulate 140` / `-modulate 60` (HSL is its default
 * modulate colour space). Unlike a gain, brightening this way also washes
 * colours out towards white.
 */
export function lightness(image: RgbaImage, factor: number): RgbaImage {
  const out = blank(image.width, image.height);
  const src = image.data;
  for (let k = 0; k < src.length; k += 4) {
    const r = src[k]! / 255;
    const g = src[k + 1]! / 255;
    const b = src[k + 2]! / 255;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const l = (max + min) / 2;
    const c = max - min;
    let h = 0;
    if (c > 0) {
      if (max === r) h = ((g - b) / c + 6) % 6;
      else if (max === g) h = (b - r) / c + 2;
      else h = (r - g) / c + 4;
    }
    const s = c === 0 ? 0 : c / (1 - Math.abs(2 * l - 1));
    const l2 = Math.min(1, l * factor);
    const c2 = (1 - Math.abs(2 * l2 - 1)) * s;
    const x = c2 * (1 - Math.abs((h % 2) - 1));
    const m = l2 - c2 / 2;
    const [r2, g2, b2] = h < 1 ? [c2, x, 0] : h < 2 ? [x, c2, 0] : h < 3 ? [0, c2, x] : h < 4 ? [0, x, c2] : h < 5 ? [x, 0, c2] : [c2, 0, x];
    out.data[k] = Math.round(255 * (r2 + m));
    out.data[k + 1] = Math.round(255 * (g2 + m));
    out.data[k + 2] = Math.round(255 * (b2 + m));
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
  return v < lo ? lo : Math.min(v, hi);
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

/**
 * Each of R, G and B independently, with probability `amount`, becomes 0 or
 * 255 (even odds); alpha is kept. A pixel usually keeps two of its channels,
 * so it is not at an extreme the way a salt-and-pepper pixel is.
 */
export function channelImpulse(image: RgbaImage, amount: number, seed: number): RgbaImage {
  const rand = mulberry32(seed);
  const out = { data: new Uint8ClampedArray(image.data), width: image.width, height: image.height };
  for (let k = 0; k < out.data.length; k += 4) {
    for (let c = 0; c < 3; c++) {
      if (rand() >= amount) continue;
      out.data[k + c] = rand() < 0.5 ? 0 : 255;
    }
  }
  return out;
}

/**
 * Linear motion blur: the mean of `length` samples (bilinear, edges
 * repeated) spaced 1 px apart along a line through each pixel at `degrees`
 * from the x axis; alpha is kept.
 */
export function motionBlur(image: RgbaImage, length: number, degrees: number): RgbaImage {
  const { width: w, height: h, data: src } = image;
  const out = blank(w, h);
  // The SDK's own kernel (the point spread function its deblurring inverts), in float64, then rounded.
  const mean = new Float64Array(w * h * 4);
  lineMean(src, w, h, Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180), length, mean);
  for (let o = 0; o < mean.length; o += 4) {
    out.data[o] = Math.round(mean[o]!);
    out.data[o + 1] = Math.round(mean[o + 1]!);
    out.data[o + 2] = Math.round(mean[o + 2]!);
    out.data[o + 3] = src[o + 3]!;
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

/**
 * JPEG as a camera writes it: chroma at half resolution both ways (4:2:0;
 * JFIF YCbCr, Cb and Cr averaged over 2x2 blocks, which is what an encoder's
 * downsampling does before the DCT; jpeg-js itself only writes 4:4:4), then
 * baseline JPEG at `quality` and decoded again.
 */
export function cameraJpeg(image: RgbaImage, quality: number): RgbaImage {
  const { width: w, height: h, data: src } = image;
  const n = w * h;
  const Y = new Float32Array(n);
  const cb = new Float32Array(n);
  const cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = src[i * 4]!;
    const g = src[i * 4 + 1]!;
    const b = src[i * 4 + 2]!;
    Y[i] = luma(r, g, b);
    cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  const sub = blank(w, h);
  for (let by = 0; by < h; by += 2) {
    for (let bx = 0; bx < w; bx += 2) {
      let sb = 0;
      let sr = 0;
      let k = 0;
      for (let y = by; y < Math.min(by + 2, h); y++)
        for (let x = bx; x < Math.min(bx + 2, w); x++) {
          sb += cb[y * w + x]!;
          sr += cr[y * w + x]!;
          k++;
        }
      const mb = sb / k;
      const mr = sr / k;
      for (let y = by; y < Math.min(by + 2, h); y++)
        for (let x = bx; x < Math.min(bx + 2, w); x++) {
          const i = y * w + x;
          sub.data[i * 4] = Math.round(Y[i]! + 1.402 * mr);
          sub.data[i * 4 + 1] = Math.round(Y[i]! - 0.344136 * mb - 0.714136 * mr);
          sub.data[i * 4 + 2] = Math.round(Y[i]! + 1.772 * mb);
          sub.data[i * 4 + 3] = src[i * 4 + 3]!;
        }
    }
  }
  return jpegRecompress(sub, quality);
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
