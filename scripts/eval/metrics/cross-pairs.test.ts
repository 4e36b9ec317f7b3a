import { describe, expect, it } from "vitest";
import { similarity } from "../../../src/protocol/similarity.js";
import { pairCounts, scanCrossPairs } from "./cross-pairs.js";
import { mulberry32 } from "../data/prng.js";

describe("scanCrossPairs", () => {
  it("matches brute force with the protocol's similarity(): impostor count, top-K, counts at thresholds and genuine scores", () => {
    const rand = mulberry32(3);
    const n = 150; // more than two 64-row tiles
    const dim = 19; // not a multiple of 4
    const emb = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) {
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += (emb[r * dim + k] = rand() - 0.5) ** 2;
      for (let k = 0; k < dim; k++) emb[r * dim + k]! /= Math.sqrt(norm);
    }
    const ids = Int32Array.from({ length: n }, () => Math.floor(rand() * 30));
    const imp: number[] = [];
    const gen: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const s = similarity(emb.subarray(i * dim, (i + 1) * dim), emb.subarray(j * dim, (j + 1) * dim));
        (ids[i] === ids[j] ? gen : imp).push(s);
      }
    }
    imp.sort((a, b) => b - a);
    gen.sort((a, b) => b - a);
    const thresholds = [0.2, 0.5, 0.8];
    const scan = scanCrossPairs(emb, dim, ids, { topK: 37, countAtLeast: thresholds });
    expect(scan.impostorPairs).toBe(imp.length);
    expect(pairCounts(ids)).toEqual({ genuine: gen.length, impostor: imp.length });
    expect(scan.topImpostors.scores.length).toBe(37);
    scan.topImpostors.scores.forEach((s, k) => {
      expect(s).toBeCloseTo(imp[k]!, 6);
    });
    expect(scan.impostorsAtLeast).toEqual(thresholds.map((t) => imp.filter((s) => s >= t).length));
    expect(Array.from(scan.genuine.scores).map((s) => Number(s.toFixed(6)))).toEqual(gen.map((s) => Number(s.toFixed(6))));
    // Every reported pair really is cross-identity, listed once (i < j).
    for (let k = 0; k < 37; k++) {
      expect(ids[scan.topImpostors.i[k]!]).not.toBe(ids[scan.topImpostors.j[k]!]);
      expect(scan.topImpostors.i[k]!).toBeLessThan(scan.topImpostors.j[k]!);
    }
  });

  it("refuses a matrix of the wrong size", () => {
    expect(() => scanCrossPairs(new Float32Array(10), 4, new Int32Array(3), { topK: 1 })).toThrow(/expected 3 x 4/);
  });
});
