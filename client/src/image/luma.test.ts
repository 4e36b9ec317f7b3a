import { describe, expect, it } from "vitest";
import { luma } from "./luma.js";

describe("luma (BT.601)", () => {
  it("weighs green most and keeps grey pixels grey", () => {
    expect(luma(255, 255, 255)).toBeCloseTo(255, 10);
    expect(luma(0, 0, 0)).toBe(0);
    expect(luma(100, 100, 100)).toBeCloseTo(100, 10);
    expect(luma(0, 255, 0)).toBeGreaterThan(luma(255, 0, 0));
    expect(luma(255, 0, 0)).toBeGreaterThan(luma(0, 0, 255));
    expect(luma(10, 20, 30)).toBe(0.299 * 10 + 0.587 * 20 + 0.114 * 30);
  });
});
