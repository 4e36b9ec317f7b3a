import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FaceQualityError } from "../../../client/src/errors.js";
import { pipelineSourceVersion, qualityReason } from "./embedder.js";

/**
 * The embedding cache key must change whenever the pipeline's output for
 * the same bytes could change, and only then (writing thresholds must not
 * throw away every cached embedding).
 */
describe("pipelineSourceVersion (the cache key of the SDK pipeline)", () => {
  let dir: string;
  let manifest: string;
  const roots = () => [path.join(dir, "pipeline"), path.join(dir, "runtime")];
  const doc = () => ({
    schemaVersion: 1,
    models: {
      emb: {
        role: "embedding",
        preprocessing: { size: 112, channelOrder: "bgr" },
        embedding: { dim: 512, metric: "cosine", threshold: 0.4, operatingFmr: 1e-4, thresholds: [], calibration: { date: "x" } },
      },
    },
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "facegate-srcver-"));
    await mkdir(path.join(dir, "pipeline"));
    await mkdir(path.join(dir, "runtime"));
    await writeFile(path.join(dir, "pipeline/align.ts"), "export const a = 1;\n");
    await writeFile(path.join(dir, "pipeline/align.test.ts"), "test\n");
    await writeFile(path.join(dir, "runtime/ort-node.ts"), "export const n = 1;\n");
    await writeFile(path.join(dir, "runtime/ort-browser.ts"), "export const b = 1;\n");
    manifest = path.join(dir, "manifest.json");
    await writeFile(manifest, JSON.stringify(doc()));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("changes with any pipeline source file and with the models' preprocessing", async () => {
    const v0 = await pipelineSourceVersion(manifest, roots());
    expect(v0).toMatch(/^[0-9a-f]{16}$/);
    expect(await pipelineSourceVersion(manifest, roots())).toBe(v0);

    await writeFile(path.join(dir, "pipeline/align.ts"), "export const a = 2;\n");
    const v1 = await pipelineSourceVersion(manifest, roots());
    expect(v1).not.toBe(v0);

    await writeFile(path.join(dir, "runtime/ort-node.ts"), "export const n = 2;\n");
    const v2 = await pipelineSourceVersion(manifest, roots());
    expect(v2).not.toBe(v1);

    const d = doc();
    d.models.emb.preprocessing.channelOrder = "rgb";
    await writeFile(manifest, JSON.stringify(d));
    expect(await pipelineSourceVersion(manifest, roots())).not.toBe(v2);
  });

  it("ignores tests, browser-only modules and the calibration (thresholds, provenance)", async () => {
    const v0 = await pipelineSourceVersion(manifest, roots());
    await writeFile(path.join(dir, "pipeline/align.test.ts"), "another test\n");
    await writeFile(path.join(dir, "runtime/ort-browser.ts"), "export const b = 2;\n");
    const d = doc();
    Object.assign(d.models.emb.embedding, { threshold: 0.5, operatingFmr: 1e-3, thresholds: [{ fmr: 1e-3, threshold: 0.5 }], calibration: { date: "y" } });
    await writeFile(manifest, JSON.stringify(d));
    expect(await pipelineSourceVersion(manifest, roots())).toBe(v0);
    expect(JSON.parse(await readFile(manifest, "utf8")).models.emb.embedding.threshold).toBe(0.5);
  });

  it("refuses to hash nothing (a wrong source root would make a stale cache look valid)", async () => {
    await expect(pipelineSourceVersion(manifest, [path.join(dir, "missing")])).rejects.toThrow(/no pipeline sources/);
  });
});

describe("qualityReason", () => {
  it("reads the reason of a pipeline refusal and nothing else", () => {
    expect(qualityReason(new FaceQualityError("too-dark", "dark"))).toBe("too-dark");
    expect(qualityReason(new Error("boom"))).toBeNull();
    expect(qualityReason("no-face")).toBeNull();
  });
});
