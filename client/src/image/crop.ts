import type { RgbaImage } from "./types.js";

/**
 * Copy an integer rectangle out of an image. The rectangle is clipped to the
 * image; the result is never empty (a rectangle outside gives 1x1 at the edge).
 */
export function crop(src: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const x0 = Math.min(Math.max(0, Math.floor(x)), src.width - 1);
  const y0 = Math.min(Math.max(0, Math.floor(y)), src.height - 1);
  const x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor(x + width)));
  const y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor(y + height)));
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) {
    const from = ((y0 + r) * src.width + x0) * 4;
    data.set(src.data.subarray(from, from + w * 4), r * w * 4);
  }
  return { data, width: w, height: h };
}
