/**
 * The evaluation on the real SDK pipeline (ONNX models, WASM, quality gates
 * as shipped), at a fixed small size so it fits in `npm test`: the first 40
 * same-person and the first 40 different-person pairs of LFW View 1 DevTest
 * (checking only: nothing is tuned on DevTest), no embedding cache. Floors,
 * not the acceptance numbers (those come from the full run, docs/ACCURACY.md).
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readShippedThresholds } from "./calibration/manifest.js";
import { runEvaluation, type RunResult } from "./run.js";

const REPO = path.resolve(import.meta.dirname, "../..");
const LFW = process.env["FACEGATE_LFW_DIR"] ?? path.resolve(REPO, "../shared/data/lfw-dev");
const MANIFEST = path.join(REPO, "models/manifest.json");

/** The pipeline's refusals (client/src/pipeline/types.ts QualityReason) a clean LFW photo may get; liveness is off. */
const EXPECTED_REASONS = ["no-face", "multiple-faces", "face-too-small", "face-cut-off", "too-blurry", "too-dark", "too-bright", "pose-too-far"];

describe("evaluation on the real pipeline (DevTest, first 40 + 40 pairs)", () => {
  let out: string;
  let result: RunResult;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), "facegate-eval-"));
    result = await runEvaluation({
      pairs: path.join(LFW, "pairsDevTest.txt"),
      images: path.join(LFW, "images"),
      variants: ["none"],
      out,
      limit: 80,
      manifest: MANIFEST,
      cache: false,
      command: "scripts/eval/pipeline-eval.test.ts",
    });
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("runs the SDK pipeline, not a stand-in", () => {
    const model = result.json["model"] as { id: string; pipeline: string; pipelineVersion: string; decoder: string };
    expect(model.id).toBe("fr512-v1");
    expect(model.pipeline).toMatch(/^client\/src\/pipeline \(FacePipeline facegate-pipeline\/\d+:.*wasm, 1 thread\)$/);
    expect(model.decoder).toMatch(/decode-node\.ts \(SDK\)/);
    expect(model.pipelineVersion).toMatch(/^[0-9a-f]{16}\+ort-web@\d/);
  });

  it("evaluates exactly the first 40 same and 40 different pairs", () => {
    const [clean] = result.runs;
    expect(clean!.metrics.genuinePairs).toBe(40);
    expect(clean!.metrics.impostorPairs).toBe(40);
    expect(clean!.scores.genuine.length + clean!.scores.impostor.length).toBe(80);
  });

  it("clears sane floors at the manifest's operating threshold", async () => {
    const shipped = await readShippedThresholds(MANIFEST);
    const [clean] = result.runs;
    expect(result.shipped.threshold).toBe(shipped.threshold);
    expect(clean!.atShipped.operating.outcome.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(clean!.metrics.auc).toBeGreaterThanOrEqual(0.98);
    // Impostor scores of different people sit far below any sane threshold.
    expect(clean!.atShipped.operating.outcome.far).toBe(0);
  });

  it("loses few images, and only for reasons the pipeline documents", () => {
    const { images } = result.runs[0]!.failures;
    expect(images.total).toBeGreaterThan(100);
    for (const reason of Object.keys(images.byReason)) expect(EXPECTED_REASONS).toContain(reason);
    expect(images.fraction).toBeLessThanOrEqual(0.02);
  });

  it("writes result.json, the ROC/DET plots (PNG and SVG) and the HTML report", async () => {
    const json = JSON.parse(await readFile(path.join(out, "result.json"), "utf8")) as { data: { pairs: { genuine: number; impostor: number } } };
    expect(json.data.pairs).toEqual({ genuine: 40, impostor: 40 });
    for (const png of ["roc.png", "det.png"]) {
      const bytes = await readFile(path.join(out, png));
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(bytes.length).toBeGreaterThan(2000);
    }
    for (const svg of ["roc.svg", "det.svg"]) expect(await readFile(path.join(out, svg), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const html = await readFile(path.join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect((await stat(path.join(out, "report.html"))).size).toBeGreaterThan(2000);
  });
});
