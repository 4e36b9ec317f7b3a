import { describe, expect, it } from "vitest";
import { binomialCdf, clopperPearsonUpper, incompleteBeta, lnGamma } from "./binomial.js";

function directCdf(k: number, n: number, p: number): number {
  let sum = 0;
  let term = (1 - p) ** n; // P(X = 0)
  for (let i = 0; i <= k; i++) {
    sum += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return sum;
}

describe("binomial bounds", () => {
  it("lnGamma matches factorials", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it("the incomplete beta is symmetric and 1/2 at the centre of a symmetric beta", () => {
    expect(incompleteBeta(0.5, 7, 7)).toBeCloseTo(0.5, 12);
    expect(incompleteBeta(0.3, 2, 5)).toBeCloseTo(1 - incompleteBeta(0.7, 5, 2), 12);
    expect(binomialCdf(3, 20, 0.1)).toBeCloseTo(directCdf(3, 20, 0.1), 12);
  });

  it("with zero events the upper bound is 1 - 0.05^(1/n), about 3/n (the rule of three)", () => {
    expect(clopperPearsonUpper(0, 1000)).toBeCloseTo(1 - 0.05 ** (1 / 1000), 15);
    expect(clopperPearsonUpper(0, 1e6) * 1e6).toBeCloseTo(-Math.log(0.05), 3);
  });

  it("the upper bound is where P(X <= k) falls to 5%", () => {
    for (const [k, n] of [
      [2, 20],
      [5, 100],
      [30, 1000],
    ] as const) {
      const u = clopperPearsonUpper(k, n);
      expect(u).toBeGreaterThan(k / n);
      expect(directCdf(k, n, u)).toBeCloseTo(0.05, 9);
    }
  });

  it("for large n and small k it approaches the Poisson bound (k = 3: 7.754 / n)", () => {
    expect(clopperPearsonUpper(3, 5_000_000) * 5_000_000).toBeCloseTo(7.7537, 2);
  });

  it("is 1 when every trial is an event", () => {
    expect(clopperPearsonUpper(10, 10)).toBe(1);
  });
});
