import { describe, expect, it } from "vitest";
import { crop } from "./crop.js";
import { grey } from "./grey.js";
import { mirror } from "./mirror.js";
import type { RgbaImage } from "./types.js";

/** 3x2 image whose red channel is the pixel index. */
const img: RgbaImage = { data: Uint8ClampedArray.from({ length: 24 }, (_, i) => (i % 4 === 0 ? i / 4 : i % 4 === 3 ? 255 : 0)), width: 3, height: 2 };
const reds = (m: RgbaImage) => Array.from({ length: m.width * m.height }, (_, i) => m.data[i * 4]);

describe("pixel helpers", () => {
  it("crop copies a clipped rectangle", () => {
    expect(reds(crop(img, 1, 0, 2, 2))).toEqual([1, 2, 4, 5]);
    const c = crop(img, -5, 1, 100, 100);
    expect([c.width, c.height]).toEqual([3, 1]);
    expect(reds(c)).toEqual([3, 4, 5]);
  });

  it("mirror flips left-right and is its own inverse", () => {
    expect(reds(mirror(img))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(Array.from(mirror(mirror(img)).data)).toEqual(Array.from(img.data));
  });

  it("grey uses BT.601 weights", () => {
    const px: RgbaImage = { data: new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]), width: 3, height: 1 };
    const g = grey(px);
    expect(g[0]).toBeCloseTo(0.299 * 255, 3);
    expect(g[1]).toBeCloseTo(0.587 * 255, 3);
    expect(g[2]).toBeCloseTo(0.114 * 255, 3);
  });
});
