import { describe, expect, it } from "vitest";
import { similarity } from "../../../../src/protocol/similarity.js";
import { l2normalise } from "./embed.js";
import { consistentFrames, fuseEmbeddings } from "./fusion.js";

const v = (...xs: number[]) => l2normalise(Float32Array.from(xs));

describe("fuseEmbeddings", () => {
  it("is the quality-weighted mean, renormalised to unit length", () => {
    const a = v(1, 0, 0);
    const b = v(0, 1, 0);
    const f = fuseEmbeddings([
      { embedding: a, weight: 3 },
      { embedding: b, weight: 1 },
    ]);
    // (0.75, 0.25, 0) / |.|
    const n = Math.hypot(0.75, 0.25);
    expect(f[0]).toBeCloseTo(0.75 / n, 6);
    expect(f[1]).toBeCloseTo(0.25 / n, 6);
    expect(Math.hypot(...f)).toBeCloseTo(1, 6);
  });

  it("falls back to equal weights when every weight is zero, and ignores negative weights", () => {
    const f = fuseEmbeddings([
      { embedding: v(1, 0), weight: 0 },
      { embedding: v(0, 1), weight: 0 },
    ]);
    expect(f[0]).toBeCloseTo(Math.SQRT1_2, 6);
    const g = fuseEmbeddings([
      { embedding: v(1, 0), weight: 1 },
      { embedding: v(0, 1), weight: -5 },
    ]);
    expect(Array.from(g)).toEqual([1, 0]);
  });

  it("of one vector is that vector", () => {
    const a = v(0.3, -0.4, 0.5);
    expect(similarity(fuseEmbeddings([{ embedding: a, weight: 0.2 }]), a)).toBeCloseTo(1, 6);
  });

  it("refuses empty input and mixed dimensions", () => {
    expect(() => fuseEmbeddings([])).toThrow(RangeError);
    expect(() =>
      fuseEmbeddings([
        { embedding: v(1, 0), weight: 1 },
        { embedding: v(1, 0, 0), weight: 1 },
      ]),
    ).toThrow(RangeError);
  });
});

describe("consistentFrames", () => {
  it("drops the frame that does not match the others", () => {
    const same = [v(1, 0.1, 0), v(1, -0.1, 0.05), v(1, 0, -0.1), v(1, 0.05, 0.1)];
    const stranger = v(0, 1, 0);
    const items = [...same, stranger].map((embedding) => ({ embedding, weight: 1 }));
    expect(consistentFrames(items, 0.5)).toEqual([0, 1, 2, 3]);
  });

  it("keeps everything when fewer than three frames (no majority to compare with)", () => {
    const items = [v(1, 0), v(0, 1)].map((embedding) => ({ embedding, weight: 1 }));
    expect(consistentFrames(items, 0.5)).toEqual([0, 1]);
  });
});
