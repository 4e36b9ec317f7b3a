/**
 * eval:pad on the real SDK pipeline and the real PAD development photos
 * (../shared/data/pad), kept small for `npm test`: the first 3 presentations
 * of each (source, type) of Replay-Attack and MSU-MFSD, 30 images. Checks
 * the tool, not the detector's accuracy (docs/PAD.md has the full runs).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readImageFile } from "../../../client/src/image/decode-node.js";
import { loadNodePipeline } from "../../../client/src/pipeline/load/load-node.js";
import { padPolicy } from "../../../client/src/pipeline/load/preprocessing.js";
import { readManifest } from "../../../client/src/runtime/model-dir-node.js";
import { parseCandidate } from "./score.js";
import { runPadEvaluation, type PadRunResult } from "./run.js";

const REPO = path.resolve(import.meta.dirname, "../../..");
const DATA = process.env["FACEGATE_PAD_DIR"] ?? path.resolve(REPO, "../shared/data/pad");
const MODELS = path.join(REPO, "models");
const present = existsSync(path.join(DATA, "index.csv"));

describe.skipIf(!present)(`eval:pad on the real pipeline${present ? "" : ` (skipped: no PAD development set at ${DATA})`}`, () => {
  let out: string;
  let r: PadRunResult;
  let threshold: number;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), "facegate-pad-eval-"));
    const policy = padPolicy(await readManifest(MODELS))!;
    threshold = policy.threshold;
    r = await runPadEvaluation({
      data: path.join(DATA, "index.csv"),
      modelsDir: MODELS,
      candidates: policy.models.map(parseCandidate),
      fusion: { models: policy.models, weights: policy.weights, bias: policy.bias },
      threshold,
      thresholdFrom: "the manifest",
      selection: { sources: ["replayattack_sejong-sas", "msu-mfsd_sunny3"], perType: 3 },
      out,
      command: "scripts/eval/pad/pad-eval.test.ts",
      quiet: true,
    });
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("scores exactly the selected presentations: 3 per (source, type)", () => {
    // Replay-Attack: bona fide + 5 attack types; MSU-MFSD: bona fide + 3.
    expect(r.images).toHaveLength(30);
    const p = r.metrics.presentations;
    expect(p.bonaFide).toBe(6);
    expect(p.attacks).toBe(24);
    expect(r.metrics.operating.threshold).toBe(threshold);
  });

  it("gives every rate with its counts and subjects, the worst attack type first", () => {
    const o = r.metrics.operating;
    for (const t of [o.bpcer, ...o.apcer.map((a) => a.error)]) {
      expect(t.errors).toBeLessThanOrEqual(t.presentations);
      expect(t.subjects).toBeGreaterThan(0);
      expect(t.subjectsWithErrors).toBeLessThanOrEqual(t.subjects);
      expect(t.upper95).toBeGreaterThanOrEqual(t.rate);
    }
    expect(o.apcer.map((a) => a.type).sort()).toEqual(["print", "replay_phone_photo", "replay_phone_video", "replay_tablet_photo", "replay_tablet_video"]);
    expect(o.worst!.error.rate).toBe(Math.max(...o.apcer.map((a) => a.error.rate)));
    expect(r.metrics.bpcerAtApcer.map((b) => b.target)).toEqual([0.1, 0.05]);
    expect(r.text).toContain("BPCER @ APCER <= 10%");
    expect(r.text).toContain("not an ISO/IEC 30107-3 certification figure");
  });

  it("scores each image as the SDK's own analyze({ pad }) does", async () => {
    const im = r.images.find((x) => x.scores)!;
    const pipe = await loadNodePipeline({ modelsDir: MODELS, threads: 1, provider: "wasm", pad: true });
    try {
      const a = await pipe.analyze(await readImageFile(path.join(DATA, im.rel)), { pad: "report" });
      expect(a.pad!.models).toEqual(im.scores);
    } finally {
      await pipe.dispose();
    }
  });

  it("writes result.json, scores.json and the DET plot", async () => {
    const json = JSON.parse(await readFile(path.join(out, "result.json"), "utf8")) as { metrics: { presentations: { bonaFide: number } }; command: string };
    expect(json.metrics.presentations.bonaFide).toBe(6);
    expect(JSON.parse(await readFile(path.join(out, "scores.json"), "utf8"))).toHaveLength(30);
    const png = await readFile(path.join(out, "det.png"));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await readFile(path.join(out, "det.svg"), "utf8")).toMatch(/^<svg[\s\S]*APCER/);
  });
});
