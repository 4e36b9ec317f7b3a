import { describe, expect, it } from "vitest";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import { applyAffine, estimateSimilarity, invertAffine, similarityScale, type Affine } from "./similarity.js";

function similarity(scale: number, angleDeg: number, tx: number, ty: number): Affine {
  const t = (angleDeg * Math.PI) / 180;
  const c = scale * Math.cos(t);
  const s = scale * Math.sin(t);
  return { a: c, b: -s, c: tx, d: s, e: c, f: ty };
}

describe("estimateSimilarity (Umeyama)", () => {
  it("recovers a known similarity transform exactly from noise-free points", () => {
    const truth = similarity(2.7, 23, -41.5, 17.25);
    const src = ARCFACE_112.map((p) => ({ x: p.x * 3 + 100, y: p.y * 2 - 5 }));
    const dst = src.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(src, dst);
    for (const k of ["a", "b", "c", "d", "e", "f"] as const) expect(m[k]).toBeCloseTo(truth[k], 9);
    expect(similarityScale(m)).toBeCloseTo(2.7, 9);
  });

  it("is the least-squares optimum on noisy points: any nearby similarity fits worse", () => {
    const truth = similarity(0.5, -10, 3, 4);
    const noise = [0.3, -0.2, 0.1, 0.4, -0.5, 0.2, -0.1, -0.3, 0.25, 0.05];
    const src = ARCFACE_112.slice();
    const dst = src.map((p, i) => {
      const q = applyAffine(truth, p);
      return { x: q.x + noise[2 * i]!, y: q.y + noise[2 * i + 1]! };
    });
    const m = estimateSimilarity(src, dst);
    const residual = (t: Affine) =>
      src.reduce((s, p, i) => {
        const q = applyAffine(t, p);
        return s + (q.x - dst[i]!.x) ** 2 + (q.y - dst[i]!.y) ** 2;
      }, 0);
    const best = residual(m);
    const eps = 1e-4;
    // Perturb each of the 4 similarity parameters (p, q, tx, ty) both ways.
    for (const [dp, dq, dx, dy] of [
      [eps, 0, 0, 0],
      [-eps, 0, 0, 0],
      [0, eps, 0, 0],
      [0, -eps, 0, 0],
      [0, 0, eps, 0],
      [0, 0, -eps, 0],
      [0, 0, 0, eps],
      [0, 0, 0, -eps],
    ]) {
      const t = { a: m.a + dp!, b: m.b - dq!, c: m.c + dx!, d: m.d + dq!, e: m.e + dp!, f: m.f + dy! };
      expect(residual(t)).toBeGreaterThan(best);
    }
    expect(similarityScale(m)).toBeCloseTo(0.5, 1);
  });

  it("never reflects: a mirrored point set gives a rotation, not a flip", () => {
    const src = ARCFACE_112.slice();
    const dst = src.map((p) => ({ x: 112 - p.x, y: p.y }));
    const m = estimateSimilarity(src, dst);
    expect(m.a * m.e - m.b * m.d).toBeGreaterThan(0);
  });

  it("inverts", () => {
    const m = similarity(1.3, 40, 5, -7);
    const p = { x: 12.5, y: -3 };
    const q = applyAffine(invertAffine(m), applyAffine(m, p));
    expect(q.x).toBeCloseTo(p.x, 10);
    expect(q.y).toBeCloseTo(p.y, 10);
  });

  it("refuses degenerate input", () => {
    expect(() => estimateSimilarity([{ x: 1, y: 1 }], [{ x: 0, y: 0 }])).toThrow(RangeError);
    const same = [
      { x: 1, y: 1 },
      { x: 1, y: 1 },
    ];
    expect(() => estimateSimilarity(same, ARCFACE_112.slice(0, 2))).toThrow(RangeError);
  });
});
