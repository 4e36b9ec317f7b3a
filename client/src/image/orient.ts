import type { Orientation } from "./exif.js";
import type { RgbaImage } from "./types.js";

/**
 * Turn stored pixels into display orientation for an EXIF orientation value.
 * For each output pixel (ox, oy) the source pixel is given by the inverse
 * mapping below (5-8 swap width and height).
 */
export function applyOrientation(src: RgbaImage, orientation: Orientation): RgbaImage {
  if (orientation === 1) return src;
  const { width: W, height: H } = src;
  const swap = orientation >= 5;
  const ow = swap ? H : W;
  const oh = swap ? W : H;
  const out = new Uint32Array(ow * oh);
  const s = src.data;
  // Whole pixels are moved as 32-bit words; a view needs 4-byte alignment.
  const aligned = s.byteOffset % 4 === 0 ? s : new Uint8ClampedArray(s);
  const inPx = new Uint32Array(aligned.buffer, aligned.byteOffset, W * H);
  // Source index = a + x * dx + y * dy, from the output coordinates (x, y).
  let base: number;
  let dx: number;
  let dy: number;
  switch (orientation) {
    case 2: // mirror horizontally
      [base, dx, dy] = [W - 1, -1, W];
      break;
    case 3: // rotate 180
      [base, dx, dy] = [(H - 1) * W + W - 1, -1, -W];
      break;
    case 4: // mirror vertically
      [base, dx, dy] = [(H - 1) * W, 1, -W];
      break;
    case 5: // transpose: src(oy, ox)
      [base, dx, dy] = [0, W, 1];
      break;
    case 6: // rotate 90 clockwise: src(oy, H-1-ox)
      [base, dx, dy] = [(H - 1) * W, -W, 1];
      break;
    case 7: // transverse: src(W-1-oy, H-1-ox)
      [base, dx, dy] = [(H - 1) * W + W - 1, -W, -1];
      break;
    case 8: // rotate 90 counter-clockwise: src(W-1-oy, ox)
      [base, dx, dy] = [W - 1, W, -1];
      break;
  }
  for (let y = 0; y < oh; y++) {
    let si = base + y * dy;
    const row = y * ow;
    for (let x = 0; x < ow; x++, si += dx) out[row + x] = inPx[si]!;
  }
  return { data: new Uint8ClampedArray(out.buffer), width: ow, height: oh };
}
