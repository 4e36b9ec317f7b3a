import { describe, expect, it } from "vitest";
import { chooseOperatingPoint, gridAbove, thresholdForFmr, topKFor, type CalibratedThreshold } from "./calibrate.js";
import { mulberry32 } from "../data/prng.js";

const fractionAtLeast = (xs: number[], t: number) => xs.filter((x) => x >= t).length / xs.length;

describe("calibration threshold rule (match iff score >= threshold)", () => {
  const ten = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];

  it("sits one grid step above the (floor(fmr N) + 1)-th highest impostor score", () => {
    expect(thresholdForFmr(ten, 10, 0.1)).toMatchObject({ threshold: 0.800001, falseMatches: 1, empiricalFmr: 0.1 });
    expect(thresholdForFmr(ten, 10, 0.2)).toMatchObject({ threshold: 0.700001, falseMatches: 2 });
    expect(thresholdForFmr(ten, 10, 0.05)).toMatchObject({ threshold: 0.900001, falseMatches: 0 });
    expect(thresholdForFmr(ten, 10, 1)).toMatchObject({ threshold: -1, falseMatches: 10 });
  });

  it("cannot split ties: three impostors tied at 0.5 are all in or all out", () => {
    const t = thresholdForFmr([0.5, 0.5, 0.5, 0.1], 4, 0.5);
    expect(t.threshold).toBe(0.500001);
    expect(t.falseMatches).toBe(0);
  });

  it("gives the smallest grid threshold whose impostor fraction >= it is <= the target (random lists)", () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 30; trial++) {
      const n = 50 + Math.floor(rand() * 500);
      const xs = Array.from({ length: n }, () => Math.round((rand() * 2 - 1) * 1e4) / 1e4).sort((a, b) => b - a);
      const fmr = [0.01, 0.05, 0.1, 0.3][trial % 4]!;
      const t = thresholdForFmr(xs, n, fmr);
      expect(fractionAtLeast(xs, t.threshold)).toBeLessThanOrEqual(fmr);
      const below = (Math.round(t.threshold * 1e6) - 1) / 1e6; // the next grid value down
      expect(fractionAtLeast(xs, below)).toBeGreaterThan(fmr);
      expect(t.falseMatches).toBe(xs.filter((x) => x >= t.threshold).length);
    }
  });

  it("works from the top of the list alone when the total count is given", () => {
    // 1,000,000 impostors of which only the top 11 are kept: FMR 1e-5 allows 10.
    const top = Array.from({ length: 11 }, (_, k) => 0.9 - k * 0.01);
    const t = thresholdForFmr(top, 1_000_000, 1e-5);
    expect(t.threshold).toBe(gridAbove(0.8));
    expect(t.falseMatches).toBe(10);
    expect(() => thresholdForFmr(top.slice(0, 10), 1_000_000, 1e-5)).toThrow(/top 11/);
    expect(topKFor(1_000_000, [1e-3, 1e-5])).toBe(1001);
  });

  it("reports support (N >= 10 / FMR), the 95% upper bound, and the images behind the false matches", () => {
    const top = Array.from({ length: 12 }, (_, k) => 0.9 - k * 0.01);
    const images = { i: [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], j: [10, 11, 12, 10, 11, 12, 10, 11, 12, 10, 11, 12] };
    expect(thresholdForFmr(top, 99_999, 1e-4).supported).toBe(false);
    const t = thresholdForFmr(top, 100_000, 1e-4, images);
    // FMR 1e-4 of 100,000 allows 10 false matches: the first ten pairs, on images 0-3 and 10-12.
    expect(t).toMatchObject({ supported: true, minImpostors: 100_000, falseMatches: 10, falseMatchImages: 7 });
    // 10 events: the Poisson 95% upper bound is 16.96.
    expect(t.fmrUpper95 * 100_000).toBeCloseTo(16.96, 1);
    // No false match at all: the rule of three.
    const z = thresholdForFmr([0.9], 1000, 1e-4);
    expect(z.falseMatches).toBe(0);
    expect(z.fmrUpper95).toBeCloseTo(1 - 0.05 ** (1 / 1000), 12);
  });

  it("gridAbove is strictly above and at most one step away", () => {
    for (const s of [0.3, -0.2, 0.123456, 0.1234565, 0, 0.999999]) {
      const g = gridAbove(s);
      expect(g).toBeGreaterThan(s);
      expect(g - s).toBeLessThanOrEqual(1e-6 + 1e-15);
    }
  });
});

describe("operating point", () => {
  const point = (fmr: number, supported: boolean): CalibratedThreshold => ({
    fmr,
    threshold: 0.5 - Math.log10(fmr) / 10,
    impostorPairs: 50_000,
    falseMatches: 0,
    empiricalFmr: 0,
    fmrUpper95: 0,
    supported,
    minImpostors: Math.ceil(10 / fmr),
    falseMatchImages: 0,
  });

  it("is FMR 1e-4 when supported", () => {
    expect(chooseOperatingPoint([point(1e-3, true), point(1e-4, true), point(1e-5, false)]).fmr).toBe(1e-4);
  });

  it("falls back to the nearest supported target and says why", () => {
    const op = chooseOperatingPoint([point(1e-2, true), point(1e-3, true), point(1e-4, false)]);
    expect(op.fmr).toBe(1e-3);
    expect(op.threshold).toBe(point(1e-3, true).threshold);
    expect(op.reason).toMatch(/needs at least 100000 impostor pairs/);
  });

  it("refuses when nothing is supported", () => {
    expect(() => chooseOperatingPoint([point(1e-4, false)])).toThrow(/no FMR target is supported/);
  });
});
