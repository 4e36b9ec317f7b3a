import { describe, expect, it } from "vitest";
import { createFrameQueue, rgbaFromBuffer, rgbaFromVisionCameraFrame } from "../src/frames.js";

/** A w x h BGRA or RGBA buffer whose pixel (x, y) encodes its position: R = x, G = y, B = 7. */
function frame(w: number, h: number, stride: number, order: "rgba" | "bgra"): Uint8Array {
  const buf = new Uint8Array(stride * h).fill(99);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * stride + x * 4;
      const [r, g, b] = [x, y, 7];
      buf.set(order === "rgba" ? [r, g, b, 0] : [b, g, r, 0], i);
    }
  }
  return buf;
}
const at = (img: { data: ArrayLike<number>; width: number }, x: number, y: number) => {
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2], img.data[i + 3]];
};

describe("rgbaFromBuffer", () => {
  it("drops row padding, swaps BGRA to RGBA and makes alpha opaque", () => {
    const img = rgbaFromBuffer(frame(3, 2, 16, "bgra"), { width: 3, height: 2, bytesPerRow: 16, order: "bgra" });
    expect([img.width, img.height, img.data.length]).toEqual([3, 2, 24]);
    expect(at(img, 2, 1)).toEqual([2, 1, 7, 255]);
    expect(at(img, 0, 0)).toEqual([0, 0, 7, 255]);
  });

  it("turns clockwise by quarter turns, and mirrors after turning", () => {
    const src = frame(3, 2, 12, "rgba");
    const cw = rgbaFromBuffer(src, { width: 3, height: 2, rotate: 90 });
    expect([cw.width, cw.height]).toEqual([2, 3]);
    // Clockwise: the source's bottom-left corner becomes the top-left one.
    expect(at(cw, 0, 0)).toEqual([0, 1, 7, 255]);
    expect(at(cw, 1, 2)).toEqual([2, 0, 7, 255]);
    const half = rgbaFromBuffer(src, { width: 3, height: 2, rotate: 180 });
    expect(at(half, 0, 0)).toEqual([2, 1, 7, 255]);
    const ccw = rgbaFromBuffer(src, { width: 3, height: 2, rotate: 270 });
    expect(at(ccw, 0, 0)).toEqual([2, 0, 7, 255]);
    const mirrored = rgbaFromBuffer(src, { width: 3, height: 2, mirror: true });
    expect(at(mirrored, 0, 0)).toEqual([2, 0, 7, 255]);
  });

  it("refuses a buffer too short for its layout", () => {
    expect(() => rgbaFromBuffer(new Uint8Array(10), { width: 3, height: 2 })).toThrow(RangeError);
    expect(() => rgbaFromBuffer(new Uint8Array(24), { width: 3, height: 2, bytesPerRow: 8 })).toThrow(RangeError);
  });
});

describe("rgbaFromVisionCameraFrame", () => {
  const camera = (pixelFormat: string) => ({
    width: 3,
    height: 2,
    bytesPerRow: 16,
    pixelFormat,
    toArrayBuffer: () => frame(3, 2, 16, "bgra").buffer as ArrayBuffer,
  });

  it("reads an rgb frame with its row stride", () => {
    expect(at(rgbaFromVisionCameraFrame(camera("rgb"), { order: "bgra" }), 1, 1)).toEqual([1, 1, 7, 255]);
  });

  it("refuses a yuv frame, saying how to get RGB", () => {
    expect(() => rgbaFromVisionCameraFrame(camera("yuv"), { order: "bgra" })).toThrow(/pixelFormat="rgb"/);
  });
});

describe("createFrameQueue", () => {
  it("hands frames to a reader in order, drops the oldest beyond capacity, and ends on close", async () => {
    const q = createFrameQueue({ capacity: 2 });
    const img = (n: number) => ({ data: new Uint8Array(4).fill(n), width: 1, height: 1 });
    q.push(img(1), 10);
    q.push(img(2), 20);
    q.push(img(3), 30);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const f of q.frames) seen.push(f.timestamp!);
    })();
    await new Promise((r) => setTimeout(r, 5));
    q.push(img(4), 40);
    await new Promise((r) => setTimeout(r, 5));
    q.close();
    await reading;
    expect(seen).toEqual([20, 30, 40]);
  });
});
