import { writeFileSync } from "node:fs";
import type { RgbaImage } from "../../client/src/image/types.js";

/**
 * A one-frame YUV4MPEG2 file (4:2:0) from an RGBA photo, letterboxed into
 * width x height without distorting the face: Chromium's fake camera
 * (--use-file-for-fake-video-capture) loops it as a live video stream.
 * Written by hand so the tests need no ffmpeg.
 */
export function writeY4m(path: string, img: RgbaImage, width = 640, height = 480): void {
  const scale = Math.min(width / img.width, height / img.height);
  const w = Math.round(img.width * scale);
  const h = Math.round(img.height * scale);
  const ox = Math.floor((width - w) / 2);
  const oy = Math.floor((height - h) / 2);
  // RGB canvas, black borders, area-averaged downscale (or bilinear up).
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx0 = x / scale;
      const sy0 = y / scale;
      const sx1 = Math.min(img.width, (x + 1) / scale);
      const sy1 = Math.min(img.height, (y + 1) / scale);
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let sy = Math.floor(sy0); sy < Math.max(Math.ceil(sy1), Math.floor(sy0) + 1); sy++) {
        for (let sx = Math.floor(sx0); sx < Math.max(Math.ceil(sx1), Math.floor(sx0) + 1); sx++) {
          const i = (Math.min(sy, img.height - 1) * img.width + Math.min(sx, img.width - 1)) * 4;
          r += img.data[i]!;
          g += img.data[i + 1]!;
          b += img.data[i + 2]!;
          n++;
        }
      }
      const o = ((y + oy) * width + (x + ox)) * 3;
      rgb[o] = r / n;
      rgb[o + 1] = g / n;
      rgb[o + 2] = b / n;
    }
  }
  // BT.601 limited range, as the fake capture device expects.
  const Y = new Uint8Array(width * height);
  const U = new Uint8Array((width / 2) * (height / 2));
  const V = new Uint8Array((width / 2) * (height / 2));
  for (let i = 0; i < width * height; i++) {
    Y[i] = clamp(16 + 0.257 * rgb[i * 3]! + 0.504 * rgb[i * 3 + 1]! + 0.098 * rgb[i * 3 + 2]!);
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((2 * y + dy) * width + (2 * x + dx)) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      U[y * (width / 2) + x] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      V[y * (width / 2) + x] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\nFRAME\n`, "ascii");
  writeFileSync(path, Buffer.concat([header, Y, U, V]));
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
