import type { RgbaImage } from "./types.js";

/** Mirror left-right (used for flip test-time augmentation of aligned crops). */
export function mirror(src: RgbaImage, out?: Uint8ClampedArray): RgbaImage {
  const { width, height } = src;
  const data = out ?? new Uint8ClampedArray(width * height * 4);
  const s = src.data;
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) {
      const i = row + x * 4;
      const j = row + (width - 1 - x) * 4;
      data[j] = s[i]!;
      data[j + 1] = s[i + 1]!;
      data[j + 2] = s[i + 2]!;
      data[j + 3] = s[i + 3]!;
    }
  }
  return { data, width, height };
}
