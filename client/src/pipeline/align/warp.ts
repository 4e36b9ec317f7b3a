import type { RgbaImage } from "../../image/types.js";
import type { Affine } from "./similarity.js";

export interface WarpResult {
  image: RgbaImage;
  /** Fraction of output pixels whose source point lies outside the image. */
  outside: number;
}

/**
 * Inverse-mapped bilinear warp: every output pixel (u, v) samples the source
 * at `toSource(u, v)`. Pixel-index convention (a pixel's centre has integer
 * coordinates), as in OpenCV's warpAffine, which produced the crops the
 * embedding model was trained on; outside the image is black, like its
 * default BORDER_CONSTANT.
 */
export function warpAffine(src: RgbaImage, toSource: Affine, width: number, height: number, out?: Uint8ClampedArray): WarpResult {
  const data = out ?? new Uint8ClampedArray(width * height * 4);
  const s = src.data;
  const W = src.width;
  const H = src.height;
  const { a, b, c, d, e, f } = toSource;
  let outsideCount = 0;
  for (let v = 0; v < height; v++) {
    // Walk the row incrementally: x, y advance by (a, d) per output pixel.
    let x = b * v + c;
    let y = e * v + f;
    let o = v * width * 4;
    for (let u = 0; u < width; u++, x += a, y += d, o += 4) {
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) {
        data[o] = 0;
        data[o + 1] = 0;
        data[o + 2] = 0;
        data[o + 3] = 255;
        outsideCount++;
        continue;
      }
      const fx = x - x0;
      const fy = y - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        // Fast path: all four taps inside (nearly every pixel of a face crop).
        const p = (y0 * W + x0) * 4;
        const q = p + W * 4;
        const top0 = s[p]! + (s[p + 4]! - s[p]!) * fx;
        const bot0 = s[q]! + (s[q + 4]! - s[q]!) * fx;
        const top1 = s[p + 1]! + (s[p + 5]! - s[p + 1]!) * fx;
        const bot1 = s[q + 1]! + (s[q + 5]! - s[q + 1]!) * fx;
        const top2 = s[p + 2]! + (s[p + 6]! - s[p + 2]!) * fx;
        const bot2 = s[q + 2]! + (s[q + 6]! - s[q + 2]!) * fx;
        data[o] = top0 + (bot0 - top0) * fy;
        data[o + 1] = top1 + (bot1 - top1) * fy;
        data[o + 2] = top2 + (bot2 - top2) * fy;
        data[o + 3] = 255;
        continue;
      }
      if (x < 0 || y < 0 || x > W - 1 || y > H - 1) outsideCount++;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      // Taps outside the image contribute black (zero), blending the border.
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < W;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < H;
      const p00 = (y0 * W + x0) * 4;
      const p10 = p00 + 4;
      const p01 = p00 + W * 4;
      const p11 = p01 + 4;
      for (let ch = 0; ch < 3; ch++) {
        let acc = 0;
        if (inY0) {
          if (inX0) acc += s[p00 + ch]! * w00;
          if (inX1) acc += s[p10 + ch]! * w10;
        }
        if (inY1) {
          if (inX0) acc += s[p01 + ch]! * w01;
          if (inX1) acc += s[p11 + ch]! * w11;
        }
        data[o + ch] = acc;
      }
      data[o + 3] = 255;
    }
  }
  return { image: { data, width, height }, outside: outsideCount / (width * height) };
}
