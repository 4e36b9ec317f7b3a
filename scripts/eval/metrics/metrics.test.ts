import { describe, expect, it } from "vitest";
import { atThreshold, detPoints, minImpostorsFor, quantile, rocAuc, rocCurve, scoreQuantiles, tarAtFar, verificationMetrics } from "./metrics.js";
import { mulberry32 } from "../data/prng.js";

/** Mann-Whitney U / (Ng Ni) with ties counted half, by brute force. */
function mannWhitney(g: number[], im: number[]): number {
  let u = 0;
  for (const x of g) for (const y of im) u += x > y ? 1 : x === y ? 0.5 : 0;
  return u / (g.length * im.length);
}

describe("metrics on score lists whose ROC is known exactly", () => {
  it("perfectly separated lists give AUC 1, EER 0 and accuracy 1", () => {
    const m = verificationMetrics([0.9, 0.8, 0.7], [0.6, 0.5, 0.4]);
    expect(m.auc).toBe(1);
    expect(m.eer.eer).toBe(0);
    expect(m.eer.threshold).toBe(0.7);
    expect(m.bestAccuracy.accuracy).toBe(1);
    expect(m.bestAccuracy.threshold).toBe(0.7);
    expect(m.tarAtFar.map((t) => [t.tar, t.far, t.threshold])).toEqual([
      [1, 0, 0.7],
      [1, 0, 0.7],
      [1, 0, 0.7],
    ]);
  });

  it("identical lists give AUC 0.5 and EER 0.5 (the diagonal)", () => {
    const s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const m = verificationMetrics(s, s);
    expect(m.auc).toBeCloseTo(0.5, 12);
    expect(m.eer.eer).toBeCloseTo(0.5, 12);
    for (const p of m.roc) expect(p.tar).toBeCloseTo(p.far, 12);
  });

  it("a hand-computed case with ties: exact ROC points, AUC, EER and best accuracies", () => {
    const g = [0.9, 0.7, 0.5, 0.5];
    const im = [0.7, 0.5, 0.3];
    const roc = rocCurve(g, im);
    expect(roc).toEqual([
      { threshold: Infinity, far: 0, tar: 0 },
      { threshold: 0.9, far: 0, tar: 0.25 },
      { threshold: 0.7, far: 1 / 3, tar: 0.5 },
      { threshold: 0.5, far: 2 / 3, tar: 1 },
      { threshold: 0.3, far: 1, tar: 1 },
    ]);
    const m = verificationMetrics(g, im);
    // U = 3 + (2 + 0.5) + (1 + 0.5) * 2 = 8.5 of 12 comparisons.
    expect(m.auc).toBeCloseTo(8.5 / 12, 12);
    // FAR + TAR crosses 1 a fifth of the way from (1/3, 1/2) to (2/3, 1): FAR = FRR = 0.4.
    expect(m.eer.eer).toBeCloseTo(0.4, 12);
    expect(m.bestAccuracy.accuracy).toBeCloseTo(5 / 7, 12);
    expect(m.bestAccuracy.threshold).toBe(0.5);
    expect(m.bestBalancedAccuracy.balancedAccuracy).toBeCloseTo(2 / 3, 12);
  });

  it("trapezoid AUC equals Mann-Whitney U with ties counted half, on random tied scores", () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const g = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.round(rand() * 10) / 10 + 0.1);
      const im = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.round(rand() * 10) / 10);
      expect(rocAuc(rocCurve(g, im))).toBeCloseTo(mannWhitney(g, im), 12);
    }
  });

  it("uniform scores match the closed forms: TAR@FAR = 2 FAR, EER = 1/3, AUC = 3/4", () => {
    // Impostors uniform on [0, 1], genuines uniform on [0.5, 1] (midpoint grids).
    const N = 20000;
    const M = 20000;
    const im = Array.from({ length: N }, (_, i) => (i + 0.5) / N);
    const g = Array.from({ length: M }, (_, j) => 0.5 + (j + 0.5) / (2 * M));
    const m = verificationMetrics(g, im, [1e-2, 1e-3]);
    for (const t of m.tarAtFar) {
      expect(t.far).toBeLessThanOrEqual(t.target);
      expect(Math.abs(t.tar - 2 * t.target)).toBeLessThanOrEqual(2 / M);
    }
    expect(m.eer.eer).toBeCloseTo(1 / 3, 3);
    expect(m.auc).toBeCloseTo(0.75, 4);
  });

  it("TAR@FAR takes the smallest threshold whose FAR does not exceed the target", () => {
    const im = Array.from({ length: 100 }, (_, i) => i / 100); // 0.00 .. 0.99
    const g = [0.995, 0.985, 0.975, 0.5];
    const t = tarAtFar(rocCurve(g, im), im.length, 0.02);
    // At 0.975 only the impostors 0.98 and 0.99 match (FAR 2/100) and three genuines do;
    // the next lower score, the impostor 0.97, would make FAR 3/100.
    expect(t.threshold).toBe(0.975);
    expect(t.far).toBeCloseTo(0.02, 12);
    expect(t.tar).toBe(0.75);
  });

  it("a FAR target needs at least 10 / target impostor pairs to be supported", () => {
    expect(minImpostorsFor(1e-2)).toBe(1000);
    expect(minImpostorsFor(1e-3)).toBe(10000);
    expect(minImpostorsFor(1e-4)).toBe(100000);
    const few = Array.from({ length: 999 }, (_, i) => i / 999);
    expect(tarAtFar(rocCurve([1], few), 999, 1e-2).supported).toBe(false);
    const enough = Array.from({ length: 1000 }, (_, i) => i / 1000);
    expect(tarAtFar(rocCurve([1], enough), 1000, 1e-2).supported).toBe(true);
  });

  it("failed pairs (-Infinity) are false non-matches if genuine and correct non-matches if impostor", () => {
    const g = [0.9, -Infinity];
    const im = [0.1, -Infinity];
    const at = atThreshold(g, im, 0.5);
    expect(at).toMatchObject({ tar: 0.5, far: 0, accuracy: 0.75, falseNonMatches: 1, trueNonMatches: 2 });
    // The two failures tie at the bottom: counted half, like any tie.
    expect(verificationMetrics(g, im).auc).toBeCloseTo(2.5 / 4, 12);
    // Quantiles describe processed pairs only.
    expect(scoreQuantiles(g)?.count).toBe(1);
  });

  it("DET points are FAR and FRR = 1 - TAR along the ROC", () => {
    const det = detPoints(rocCurve([0.9, 0.5], [0.7]));
    expect(det.map((p) => [p.far, p.frr])).toEqual([
      [0, 1],
      [0, 0.5],
      [1, 0.5],
      [1, 0],
    ]);
  });

  it("quantiles interpolate between order statistics (type 7)", () => {
    const s = [1, 2, 3, 4, 5];
    expect(quantile(s, 0.5)).toBe(3);
    expect(quantile(s, 0.25)).toBe(2);
    expect(quantile(s, 0.01)).toBeCloseTo(1.04, 12);
    expect(scoreQuantiles([5, 1, 3, 2, 4])).toMatchObject({ min: 1, p50: 3, max: 5, mean: 3, count: 5 });
    expect(scoreQuantiles([])).toBeNull();
  });

  it("refuses NaN scores", () => {
    expect(() => rocCurve([0.5, NaN], [0.1])).toThrow(/NaN in genuine/);
  });
});
