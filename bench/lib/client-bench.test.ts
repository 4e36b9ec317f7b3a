/**
 * Smoke tests of the client benchmark's measurement helpers (no timing
 * assertions: the machines are shared).
 */
import { similarity } from "../../src/protocol/similarity.js";
import { describe, expect, it } from "vitest";
import { commonImages, outsideModelsCpu, ratio, refusals, summarise, summariseModels, type ImageSample } from "./client-stats.js";
import { cpuInfo, describeCpu } from "./cpu.js";
import { chunked, mulberry32, packageVersion, rotation, seededSample } from "./sample.js";
import { median, quantile } from "./stats.js";

describe("seeded sample", () => {
  const items = Array.from({ length: 50 }, (_, i) => `img${i}`);
  it("is deterministic, distinct and of the asked size", () => {
    const a = seededSample(items, 10, 7);
    expect(a).toEqual(seededSample(items, 10, 7));
    expect(new Set(a).size).toBe(10);
    expect(a.every((x) => items.includes(x))).toBe(true);
    expect(seededSample(items, 10, 8)).not.toEqual(a);
  });
  it("caps at the population and leaves the input alone", () => {
    const copy = [...items];
    expect(seededSample(items, 500, 1).sort()).toEqual([...items].sort());
    expect(items).toEqual(copy);
    expect(seededSample(items, 0, 1)).toEqual([]);
  });
  it("draws from [0, 1)", () => {
    const r = mulberry32(123);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe("interleaving", () => {
  it("chunks cover every index once, in order", () => {
    expect(chunked(7, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(chunked(0, 3)).toEqual([]);
  });
  it("rotations put every contender in every position over k slots", () => {
    const k = 4;
    for (let pos = 0; pos < k; pos++) {
      expect(new Set(Array.from({ length: k }, (_, slot) => rotation(k, slot)[pos])).size).toBe(k);
    }
    expect([...rotation(k, 5)].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe("summaries", () => {
  const s = (image: number, round: number, total: number, ok = true): ImageSample => ({
    image,
    round,
    ok,
    ...(ok ? {} : { reason: "no-face" }),
    stages: ok ? { detect: total / 2, total } : {},
  });
  const a = [s(0, 0, 10), s(1, 0, 20), s(2, 0, 30), s(0, 1, 12), s(1, 1, 22), s(2, 1, 32)];
  const b = [s(0, 0, 100), s(1, 0, 0, false), s(2, 0, 300), s(0, 1, 100), s(1, 1, 0, false), s(2, 1, 300)];

  it("medians per stage over the common images only", () => {
    const common = commonImages(
      new Map([
        ["a", a],
        ["b", b],
      ]),
    );
    expect(common).toEqual([0, 2]);
    const sum = summarise(a, common);
    expect(sum.total?.median).toBe(median([10, 30, 12, 32]));
    expect(sum.total?.n).toBe(4);
    expect(sum.detect?.median).toBe(median([5, 15, 6, 16]));
    expect(sum.embed).toBeUndefined();
    expect(summarise(a).total?.n).toBe(6);
  });
  it("separates time inside ORT from the rest", () => {
    const m = (image: number, cpu: number, det: number, lmk: number): ImageSample => ({
      image,
      round: 0,
      ok: true,
      stages: { total: cpu, cpu },
      models: { det: { wall: det, cpu: det, runs: 1 }, lmk: { wall: lmk + 1, cpu: lmk, runs: 2 } },
    });
    const samples = [m(0, 10, 4, 2), m(1, 20, 8, 4), m(2, 30, 12, 6), { ...s(3, 0, 0, false), models: { det: { wall: 99, cpu: 99, runs: 1 } } }];
    const sum = summariseModels(samples);
    expect(sum.det).toEqual({ wall: 8, cpu: 8, runsPerImage: 1, n: 3 });
    expect(sum.lmk).toEqual({ wall: 5, cpu: 4, runsPerImage: 2, n: 3 });
    expect(summariseModels(samples, [0]).det?.cpu).toBe(4);
    expect(outsideModelsCpu(samples)).toBe(8); // medians of 4, 8, 12
    expect(outsideModelsCpu([])).toBeNaN();
  });
  it("counts refusals once per image", () => {
    expect(refusals(b)).toEqual({ "no-face": 1 });
    expect(refusals(a)).toEqual({});
  });
  it("ratios and cosines", () => {
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(undefined, 4)).toBeNaN();
    expect(similarity([1, 0], [2, 0])).toBeCloseTo(1, 12);
    expect(similarity([1, 0], [0, 3])).toBeCloseTo(0, 12);
    expect(quantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
  });
  it("reads installed package versions", () => {
    expect(packageVersion("onnxruntime-web")).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion("no-such-package-here")).toBe("unknown");
  });
});

describe("cpu description", () => {
  it("names this machine's processor from /proc/cpuinfo, as every report prints it", () => {
    const c = cpuInfo();
    expect(c.model).not.toBe("");
    expect(c.cpus).toBeGreaterThan(0);
    expect(describeCpu(c)).toContain(c.model);
  });
  it("reads the model name, vendor and vector flags of a cpuinfo text", () => {
    const text =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\nflags\t\t: fpu sse avx2 fma avx512f avx512_vnni\n";
    const c = cpuInfo(text);
    expect(c.model).toBe("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz");
    expect(c.vendor).toBe("GenuineIntel");
    expect(c.flags).toEqual(["avx2", "fma", "avx512f", "avx512_vnni"]);
  });
});
