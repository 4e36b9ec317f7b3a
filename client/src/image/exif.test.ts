import jpeg from "jpeg-js";
import { describe, expect, it } from "vitest";
import { decodeImage } from "./decode-node.js";
import { jpegOrientation, type Orientation } from "./exif.js";
import { applyOrientation } from "./orient.js";
import type { RgbaImage } from "./types.js";

/** A minimal EXIF APP1 segment holding only IFD0 with the orientation tag. */
function exifSegment(orientation: number, littleEndian: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const dv = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  dv.setUint16(2, 42, littleEndian);
  dv.setUint32(4, 8, littleEndian);
  dv.setUint16(8, 1, littleEndian); // one entry
  dv.setUint16(10, 0x0112, littleEndian); // Orientation
  dv.setUint16(12, 3, littleEndian); // SHORT
  dv.setUint32(14, 1, littleEndian); // count
  dv.setUint16(18, orientation, littleEndian);
  const body = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]); // "Exif\0\0"
  const seg = new Uint8Array(4 + body.length);
  seg.set([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  seg.set(body, 4);
  return seg;
}

function withExif(jpegBytes: Uint8Array, orientation: number, littleEndian = true): Uint8Array {
  const seg = exifSegment(orientation, littleEndian);
  const out = new Uint8Array(jpegBytes.length + seg.length);
  out.set(jpegBytes.subarray(0, 2)); // SOI
  out.set(seg, 2);
  out.set(jpegBytes.subarray(2), 2 + seg.length);
  return out;
}

/**
 * A 48x32 image in four flat 24x16 quadrants (JPEG-safe colours):
 * top-left red, top-right green, bottom-left blue, bottom-right white.
 */
const RED = [220, 20, 20];
const GREEN = [20, 200, 20];
const BLUE = [20, 20, 220];
const WHITE = [240, 240, 240];
function quadrants(): RgbaImage {
  const w = 48;
  const h = 32;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = y < 16 ? (x < 24 ? RED : GREEN) : x < 24 ? BLUE : WHITE;
      data.set([...c, 255], (y * w + x) * 4);
    }
  return { data, width: w, height: h };
}

function colourAt(img: RgbaImage, fx: number, fy: number): number[] {
  const x = Math.floor(fx * img.width);
  const y = Math.floor(fy * img.height);
  return Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));
}
function near(a: number[], b: number[]): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) < 24);
}

// Displayed corner colours (TL, TR, BL, BR) for each orientation, per EXIF 2.32 / TIFF 6.0.
const EXPECTED: Record<Orientation, [number[], number[], number[], number[]]> = {
  1: [RED, GREEN, BLUE, WHITE],
  2: [GREEN, RED, WHITE, BLUE], // mirrored horizontally
  3: [WHITE, BLUE, GREEN, RED], // rotated 180
  4: [BLUE, WHITE, RED, GREEN], // mirrored vertically
  5: [RED, BLUE, GREEN, WHITE], // transposed
  6: [BLUE, RED, WHITE, GREEN], // rotated 90 clockwise
  7: [WHITE, GREEN, BLUE, RED], // transversed
  8: [GREEN, WHITE, RED, BLUE], // rotated 90 counter-clockwise
};

describe("EXIF orientation", () => {
  const encoded = new Uint8Array(jpeg.encode({ ...quadrants(), data: Buffer.from(quadrants().data) }, 95).data);

  it("reads the tag in both byte orders, and 1 when absent", () => {
    expect(jpegOrientation(encoded)).toBe(1);
    for (let o = 1; o <= 8; o++) {
      expect(jpegOrientation(withExif(encoded, o, true))).toBe(o);
      expect(jpegOrientation(withExif(encoded, o, false))).toBe(o);
    }
  });

  it("ignores garbage rather than failing", () => {
    expect(jpegOrientation(withExif(encoded, 77))).toBe(1);
    expect(jpegOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0x00]))).toBe(1);
    expect(jpegOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
  });

  for (let o = 1 as Orientation; o <= 8; o = (o + 1) as Orientation) {
    it(`decodes orientation ${o} into display orientation`, () => {
      const img = decodeImage(withExif(encoded, o));
      expect([img.width, img.height]).toEqual(o >= 5 ? [32, 48] : [48, 32]);
      const [tl, tr, bl, br] = EXPECTED[o];
      expect(near(colourAt(img, 0.1, 0.1), tl)).toBe(true);
      expect(near(colourAt(img, 0.9, 0.1), tr)).toBe(true);
      expect(near(colourAt(img, 0.1, 0.9), bl)).toBe(true);
      expect(near(colourAt(img, 0.9, 0.9), br)).toBe(true);
    });
  }

  it("applyOrientation moves exact pixels (6: rotate 90° clockwise)", () => {
    // 3x2 image, pixel value = index: rows [0 1 2] / [3 4 5] -> rotated: [3 0] / [4 1] / [5 2].
    const data = new Uint8ClampedArray(6 * 4);
    for (let i = 0; i < 6; i++) data[i * 4] = i;
    const r = applyOrientation({ data, width: 3, height: 2 }, 6);
    expect([r.width, r.height]).toEqual([2, 3]);
    expect(Array.from({ length: 6 }, (_, i) => r.data[i * 4])).toEqual([3, 0, 4, 1, 5, 2]);
  });
});
