/**
 * A short, fixed-size robustness check on the real SDK pipeline: the first
 * 20 same-person and 20 different-person pairs of LFW View 1 DevTest
 * (checking only: nothing is tuned on DevTest), the probe clean and under the
 * perturbations that needed a remedy (docs/ACCURACY.md), no embedding cache.
 * With 20 genuine pairs one pair is 5 points, so these are floors with a
 * pair of slack, not the acceptance numbers (those come from
 * `npm run eval:robustness` on all of DevTest). The directional deblurring
 * (client/src/pipeline/quality/deblur.ts) must leave those clean probes
 * bit-identical and run on some of their motion-blurred copies.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "../../../client/src/image/decode-node.js";
import { suppressImpulseNoise } from "../../../client/src/image/impulse.js";
import { DEFAULT_DENOISE, noiseSigma } from "../../../client/src/image/noise.js";
import { loadNodePipeline } from "../../../client/src/pipeline/load/load-node.js";
import { sha256Hex } from "../embed/cache.js";
import { readShippedThresholds, shippedThresholdFor } from "../calibration/manifest.js";
import { loadPairs, limitPairs } from "../data/pairs.js";
import { perturb, type PerturbationName } from "./perturb.js";
import { seedFrom } from "../data/prng.js";
import { robustnessSummary, TAR_FMR, type RobustnessRow } from "./robustness-table.js";
import { runEvaluation, type RunResult } from "../run.js";

const REPO = path.resolve(import.meta.dirname, "../../..");
const LFW = process.env["FACEGATE_LFW_DIR"] ?? path.resolve(REPO, "../shared/data/lfw-dev");
const MANIFEST = path.join(REPO, "models/manifest.json");
const CHECKED: PerturbationName[] = ["channel-impulse3.5-jpeg75", "saltpepper2-jpeg75", "blur2", "motion7-jpeg75"];

describe("robustness at the operating point (DevTest, first 20 + 20 pairs)", () => {
  let out: string;
  let result: RunResult;
  let rows: RobustnessRow[];

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), "facegate-robust-"));
    const shipped = await readShippedThresholds(MANIFEST);
    const t3 = shippedThresholdFor(shipped, TAR_FMR)!;
    result = await runEvaluation({
      pairs: path.join(LFW, "pairsDevTest.txt"),
      images: path.join(LFW, "images"),
      variants: ["none", ...CHECKED],
      out,
      limit: 40,
      manifest: MANIFEST,
      cache: false,
      command: "scripts/eval/robustness/robustness-check.test.ts",
      summarize: robustnessSummary(t3, "models/manifest.json, calibrated FMR 1e-3"),
    });
    rows = (result.json["robustness"] as { rows: RobustnessRow[] }).rows;
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("reports TAR with counts at FMR 1e-3 and at the shipped operating threshold", () => {
    expect(rows.map((r) => r.run)).toEqual(["clean", ...CHECKED]);
    for (const r of rows) {
      expect(r.atOperating.threshold).toBe(result.shipped.threshold);
      expect(r.atOperating.genuine).toBe(20);
      expect(r.at1e3.genuine).toBe(20);
      expect(r.at1e3.matched).toBeGreaterThanOrEqual(r.atOperating.matched);
    }
  });

  it("loses at most one genuine pair to any of these perturbations at the operating point, and matches no impostor", () => {
    const clean = rows[0]!.atOperating.matched;
    expect(clean).toBeGreaterThanOrEqual(18);
    for (const r of rows.slice(1)) {
      expect(r.atOperating.matched, r.run).toBeGreaterThanOrEqual(clean - 1);
      expect(r.atOperating.falseMatches, r.run).toBe(0);
    }
  });

  it("median-filters exactly the noisy probes: impulse noise after JPEG is above the noise limit, the clean photos below it", async () => {
    const set = await loadPairs({ pairs: path.join(LFW, "pairsDevTest.txt"), images: path.join(LFW, "images") });
    const probes = limitPairs(set.pairs, 40)
      .filter((p) => p.same)
      .map((p) => p.b);
    for (const file of probes) {
      const bytes = new Uint8Array(await readFile(file));
      const clean = await decodeImage(bytes);
      const level = (v: PerturbationName | "none") =>
        noiseSigma(suppressImpulseNoise(v === "none" ? clean : perturb(v, clean, seedFrom(sha256Hex(bytes), v))).image);
      expect(level("none"), file).toBeLessThan(DEFAULT_DENOISE.aboveSigma);
      expect(level("blur2"), file).toBeLessThan(DEFAULT_DENOISE.aboveSigma);
      expect(level("channel-impulse3.5-jpeg75"), file).toBeGreaterThan(DEFAULT_DENOISE.aboveSigma);
      expect(level("saltpepper2-jpeg75"), file).toBeGreaterThan(DEFAULT_DENOISE.aboveSigma);
    }
  });

  it("deblurs motion-blurred probes and leaves the clean ones bit-identical (the same embedding as with the step off)", async () => {
    const set = await loadPairs({ pairs: path.join(LFW, "pairsDevTest.txt"), images: path.join(LFW, "images") });
    const probes = limitPairs(set.pairs, 40)
      .filter((p) => p.same)
      .map((p) => p.b);
    const models = path.dirname(MANIFEST);
    const on = await loadNodePipeline({ modelsDir: models, threads: 1, provider: "wasm" });
    const off = await loadNodePipeline({ modelsDir: models, threads: 1, provider: "wasm", deblur: { belowDetailRatio: 0 } });
    let deblurred = 0;
    try {
      for (const file of probes) {
        const bytes = new Uint8Array(await readFile(file));
        const clean = await decodeImage(bytes);
        const embed = async (pipe: typeof on, img: typeof clean) => {
          try {
            return Array.from((await pipe.analyze(img)).embedding);
          } catch {
            return null; // refused either way: the step runs after the gates
          }
        };
        expect(await embed(on, clean), file).toEqual(await embed(off, clean));
        const blurred = perturb("motion7-jpeg75", clean, seedFrom(sha256Hex(bytes), "motion7-jpeg75"));
        const [a, b] = [await embed(on, blurred), await embed(off, blurred)];
        if (a && b && a.some((v, i) => v !== b[i])) deblurred++;
      }
    } finally {
      await on.dispose();
      await off.dispose();
    }
    // On DevTrain the step runs on 246 of the 1,098 motion-blurred probes it processes (docs/ACCURACY.md).
    expect(deblurred).toBeGreaterThanOrEqual(3);
  });
});
