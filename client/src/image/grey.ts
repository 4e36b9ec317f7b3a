import type { RgbaImage } from "./types.js";

/**
 * Luma with the ITU-R BT.601 weights (what OpenCV's RGB2GRAY and most
 * landmark training pipelines use), 0-255, one float per pixel.
 */
export function grey(src: RgbaImage, out?: Float32Array): Float32Array {
  const n = src.width * src.height;
  const g = out ?? new Float32Array(n);
  const s = src.data;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    g[i] = 0.299 * s[p]! + 0.587 * s[p + 1]! + 0.114 * s[p + 2]!;
  }
  return g;
}
