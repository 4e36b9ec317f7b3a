import { readFile } from "node:fs/promises";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { jpegOrientation } from "./exif.js";
import { applyOrientation } from "./orient.js";
import { capSize } from "./resample.js";
import type { RgbaImage } from "./types.js";

/**
 * Node-side decoding of JPEG and PNG into RgbaImage (pngjs needs node:zlib,
 * so this module is for Node only; browsers decode with the platform, see
 * dom.ts).
 */

export interface DecodeOptions {
  /**
   * Longer side after decoding, in pixels. Larger photos are shrunk with an
   * area filter before anything else touches them. 2048 keeps a face with a
   * 40 px inter-ocular distance in a 12 MP photo above the pipeline's
   * face-too-small limit, while bounding the memory and the per-frame work
   * downstream. Set to Infinity to keep full resolution.
   */
  maxSide?: number;
}

export const DEFAULT_MAX_SIDE = 2048;

/** Thrown for bytes that are neither JPEG nor PNG, or fail to decode. */
export class ImageDecodeError extends Error {
  override name = "ImageDecodeError";
}

export type ImageFormat = "jpeg" | "png";

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  return null;
}

/** Decode JPEG or PNG bytes, honour EXIF orientation, cap the size. */
export function decodeImage(input: Uint8Array | ArrayBuffer, opts: DecodeOptions = {}): RgbaImage {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const maxSide = opts.maxSide ?? DEFAULT_MAX_SIDE;
  const format = sniffFormat(bytes);
  let img: RgbaImage;
  try {
    if (format === "jpeg") {
      const d = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        // jpeg-js refuses > 100 MP / 512 MB by default; a 50 MP camera JPEG needs ~200 MB.
        maxResolutionInMP: 200,
        maxMemoryUsageInMB: 2048,
      });
      // Shrink first, then rotate: both commute, and rotating the smaller image is cheaper.
      img = applyOrientation(capSize({ data: d.data, width: d.width, height: d.height }, maxSide), jpegOrientation(bytes));
    } else if (format === "png") {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const p = PNG.sync.read(buf);
      const rgba: RgbaImage = { data: p.data, width: p.width, height: p.height };
      flattenAlpha(rgba);
      img = capSize(rgba, maxSide);
    } else {
      throw new ImageDecodeError("not a JPEG or PNG image");
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`could not decode ${format ?? "image"}: ${(e as Error).message}`, { cause: e });
  }
  return img;
}

/** Read and decode an image file. */
export async function readImageFile(path: string, opts: DecodeOptions = {}): Promise<RgbaImage> {
  return decodeImage(new Uint8Array(await readFile(path)), opts);
}

/**
 * Transparent pixels have arbitrary colour under them; show them over white,
 * as an image viewer would, so a cut-out portrait does not get a black halo.
 */
function flattenAlpha(img: RgbaImage): void {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) {
    const a = d[i]!;
    if (a === 255) continue;
    const k = a / 255;
    const white = 255 * (1 - k);
    d[i - 3] = Math.round(d[i - 3]! * k + white);
    d[i - 2] = Math.round(d[i - 2]! * k + white);
    d[i - 1] = Math.round(d[i - 1]! * k + white);
    d[i] = 255;
  }
}
