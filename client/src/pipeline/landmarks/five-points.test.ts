import { describe, expect, it } from "vitest";
import { fivePointsFrom68 } from "./five-points.js";
import { MIRROR_68 } from "./landmarks.js";

/** 68 points where point i sits at (i, 1000 + i): every output is traceable to its indices. */
const pts = Float32Array.from({ length: 136 }, (_, k) => (k % 2 === 0 ? k / 2 : 1000 + (k - 1) / 2));
const mean = (idx: number[]) => idx.reduce((s, i) => s + i, 0) / idx.length;

describe("fivePointsFrom68", () => {
  it("ring: eye centres from all six contour points, nose tip 30, outer mouth corners 48/54", () => {
    const [le, re, nose, lm, rm] = fivePointsFrom68(pts, "ring");
    expect(le).toEqual({ x: mean([36, 37, 38, 39, 40, 41]), y: 1000 + mean([36, 37, 38, 39, 40, 41]) });
    expect(re.x).toBeCloseTo(mean([42, 43, 44, 45, 46, 47]), 6);
    expect(nose).toEqual({ x: 30, y: 1030 });
    expect(lm).toEqual({ x: 48, y: 1048 });
    expect(rm).toEqual({ x: 54, y: 1054 });
  });

  it("package: eyelid points only, outer and inner mouth corners averaged", () => {
    const [le, re, , lm, rm] = fivePointsFrom68(pts, "package");
    expect(le.x).toBeCloseTo(mean([37, 38, 40, 41]), 6);
    expect(re.x).toBeCloseTo(mean([43, 44, 46, 47]), 6);
    expect(lm.x).toBe(54); // (48 + 60) / 2
    expect(rm.x).toBe(59); // (54 + 64) / 2
  });

  it("rejects short input", () => {
    expect(() => fivePointsFrom68(new Float32Array(10))).toThrow(RangeError);
  });
});

describe("MIRROR_68", () => {
  it("is an involution that swaps left and right features and fixes the midline", () => {
    MIRROR_68.forEach((j, i) => {
      expect(MIRROR_68[j]).toBe(i);
    });
    expect(MIRROR_68[36]).toBe(45); // outer eye corners
    expect(MIRROR_68[48]).toBe(54); // mouth corners
    expect(MIRROR_68[0]).toBe(16); // jaw ends
    for (const mid of [8, 27, 28, 29, 30, 33, 51, 57, 62, 66]) expect(MIRROR_68[mid]).toBe(mid);
  });
});
