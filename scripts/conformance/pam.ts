import { readFile, writeFile } from "node:fs/promises";
import type { RgbaImage } from "../../client/src/image/types.js";

/**
 * Netpbm PAM (P7), the simplest standard container for raw RGBA: a text
 * header, then width x height x 4 bytes. The runner hands an implementation
 * the reference decoder's pixels this way (run.ts --pixels reference), so a
 * port can prove its face stages even when its JPEG decoder differs.
 */

export function encodePam(img: RgbaImage): Uint8Array {
  const header = new TextEncoder().encode(`P7\nWIDTH ${img.width}\nHEIGHT ${img.height}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n`);
  const n = img.width * img.height * 4;
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(img.data.subarray(0, n), header.length);
  return out;
}

export function decodePam(bytes: Uint8Array): RgbaImage {
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 512)));
  const end = text.indexOf("ENDHDR\n");
  if (!text.startsWith("P7\n") || end < 0) throw new Error("not a PAM (P7) file");
  const fields = new Map(
    text
      .slice(3, end)
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.split(" ")[0]!, l.slice(l.indexOf(" ") + 1).trim()] as const),
  );
  const width = Number(fields.get("WIDTH"));
  const height = Number(fields.get("HEIGHT"));
  if (fields.get("DEPTH") !== "4" || fields.get("MAXVAL") !== "255" || !(width > 0) || !(height > 0)) {
    throw new Error("only 8-bit RGBA PAM (DEPTH 4, MAXVAL 255) is supported");
  }
  const start = end + "ENDHDR\n".length;
  if (bytes.length !== start + width * height * 4) throw new Error(`PAM of ${width}x${height} should hold ${width * height * 4} pixel bytes`);
  return { data: new Uint8ClampedArray(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length)), width, height };
}

export async function readPam(path: string): Promise<RgbaImage> {
  return decodePam(new Uint8Array(await readFile(path)));
}

export async function writePam(path: string, img: RgbaImage): Promise<void> {
  await writeFile(path, encodePam(img));
}
