/**
 * Linear (motion) blur as a kernel: the point spread function the deblurring
 * inverts (pipeline/quality/deblur.ts) and the motion blur the robustness
 * eval applies (scripts/eval/robustness/perturb.ts) are this one average.
 *
 * Mean of `length` samples 1 px apart along (dx, dy) through each pixel, R, G, B (bilinear,
 * edges repeated), from `src` (4 values per pixel) into `dst` (4 per pixel, alpha left alone).
 */
export function lineMean(src: ArrayLike<number>, w: number, h: number, dx: number, dy: number, length: number, dst: Float32Array | Float64Array): void {
  const half = (length - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < length; j++) {
        const t = j - half;
        const sx = Math.min(Math.max(x + t * dx, 0), w - 1);
        const sy = Math.min(Math.max(y + t * dy, 0), h - 1);
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const fx = sx - x0;
        const fy = sy - y0;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        const p00 = (y0 * w + x0) * 4;
        const p10 = (y0 * w + x1) * 4;
        const p01 = (y1 * w + x0) * 4;
        const p11 = (y1 * w + x1) * 4;
        r += w00 * src[p00]! + w10 * src[p10]! + w01 * src[p01]! + w11 * src[p11]!;
        g += w00 * src[p00 + 1]! + w10 * src[p10 + 1]! + w01 * src[p01 + 1]! + w11 * src[p11 + 1]!;
        b += w00 * src[p00 + 2]! + w10 * src[p10 + 2]! + w01 * src[p01 + 2]! + w11 * src[p11 + 2]!;
      }
      const o = (y * w + x) * 4;
      dst[o] = r / length;
      dst[o + 1] = g / length;
      dst[o + 2] = b / length;
    }
  }
}
