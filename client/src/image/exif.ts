/**
 * The EXIF orientation tag (0x0112) of a JPEG, read straight from its APP1
 * segment. Values follow the TIFF 6.0 / EXIF 2.32 definition (1 = as stored,
 * 6 = rotate 90° clockwise to display, ...). Returns 1 when absent or
 * unreadable: a malformed tag must never make an image undecodable.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function jpegOrientation(bytes: Uint8Array): Orientation {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return 1;
    const marker = bytes[p + 1]!;
    // Fill bytes and stand-alone markers carry no length.
    if (marker === 0xff) {
      p += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    // Start of scan or end of image: metadata segments are over.
    if (marker === 0xda || marker === 0xd9) return 1;
    const length = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (length < 2) return 1;
    const body = p + 4;
    if (marker === 0xe1 && isExifHeader(bytes, body)) {
      return readOrientation(bytes.subarray(body + 6, Math.min(bytes.length, p + 2 + length)));
    }
    p += 2 + length;
  }
  return 1;
}

function isExifHeader(b: Uint8Array, at: number): boolean {
  // "Exif\0\0"
  return b[at] === 0x45 && b[at + 1] === 0x78 && b[at + 2] === 0x69 && b[at + 3] === 0x66 && b[at + 4] === 0 && b[at + 5] === 0;
}

function readOrientation(tiff: Uint8Array): Orientation {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM"
  if (!little && !big) return 1;
  const u16 = (at: number): number => (at + 2 > tiff.length ? -1 : little ? tiff[at]! | (tiff[at + 1]! << 8) : (tiff[at]! << 8) | tiff[at + 1]!);
  const u32 = (at: number): number =>
    at + 4 > tiff.length
      ? -1
      : little
        ? (tiff[at]! | (tiff[at + 1]! << 8) | (tiff[at + 2]! << 16) | (tiff[at + 3]! << 24)) >>> 0
        : ((tiff[at]! << 24) | (tiff[at + 1]! << 16) | (tiff[at + 2]! << 8) | tiff[at + 3]!) >>> 0;
  if (u16(2) !== 42) return 1;
  const ifd0 = u32(4);
  const count = u16(ifd0);
  if (ifd0 < 8 || count < 0) return 1;
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (u16(entry) !== 0x0112) continue;
    // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}
