import { describe, expect, it } from "vitest";
import { iou, nms, type ScoredBox } from "./nms.js";

const box = (x1: number, y1: number, x2: number, y2: number, score: number): ScoredBox => ({ x1, y1, x2, y2, score });

describe("iou", () => {
  it("is 1 for identical, 0 for disjoint, and the exact ratio otherwise", () => {
    expect(iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1))).toBe(1);
    expect(iou(box(0, 0, 10, 10, 1), box(20, 20, 30, 30, 1))).toBe(0);
    // Overlap 5x10 = 50, union 100 + 100 - 50 = 150.
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1))).toBeCloseTo(1 / 3, 12);
  });
});

describe("nms", () => {
  it("keeps the best of overlapping boxes and every separate face, by decreasing score", () => {
    const kept = nms([box(0, 0, 10, 10, 0.8), box(1, 1, 11, 11, 0.95), box(50, 50, 60, 60, 0.7), box(0.5, 0, 10.5, 10, 0.9)], 0.4);
    expect(kept.map((b) => b.score)).toEqual([0.95, 0.7]);
  });

  it("keeps boxes that overlap less than the threshold", () => {
    const kept = nms([box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)], 0.4);
    expect(kept).toHaveLength(2);
  });

  it("drops empty boxes and honours maxKeep", () => {
    expect(nms([box(5, 5, 5, 9, 1)], 0.4)).toHaveLength(0);
    expect(nms([box(0, 0, 1, 1, 0.5), box(5, 5, 6, 6, 0.6), box(9, 9, 10, 10, 0.7)], 0.4, 2).map((b) => b.score)).toEqual([0.7, 0.6]);
  });
});
