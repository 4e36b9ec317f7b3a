/**
 * A plain JPEG/PNG decoder (jpeg-js, pngjs) for the eval's own tests and
 * until the SDK exports its Node decoder. It ignores EXIF orientation, which
 * LFW does not use; the SDK's decoder is the one that should be measured
 * (see embedder.ts, `loadPipeline`).
 */
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { RgbaImage } from "../types.js";

export class ImageDecodeError extends Error {
  override name = "ImageDecodeError";
}

export async function decodeImageBytes(bytes: Uint8Array, path: string): Promise<RgbaImage> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buf[0] === 0xff && buf[1] === 0xd8) {
      const d = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { data: new Uint8ClampedArray(d.data.buffer, d.data.byteOffset, d.data.byteLength), width: d.width, height: d.height };
    }
    if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      const p = PNG.sync.read(buf);
      return { data: new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.byteLength), width: p.width, height: p.height };
    }
  } catch (e) {
    throw new ImageDecodeError(`${path}: ${(e as Error).message}`, { cause: e });
  }
  throw new ImageDecodeError(`${path}: not a JPEG or PNG file`);
}
