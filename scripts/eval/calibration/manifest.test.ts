import { mkdtemp, readFile, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelManifest } from "../../../src/protocol/manifest.js";
import type { CalibrationResult } from "./calibrate.js";
import { formatJson, readShippedThresholds, shippedThresholdFor, updateEmbeddingText, writeManifestThresholds } from "./manifest.js";

const FIXTURE = path.join(import.meta.dirname, "../fixtures/manifest.json");

const result: CalibrationResult = {
  pipelines: [],
  thresholds: [
    {
      fmr: 1e-3,
      threshold: 0.301234,
      impostorPairs: 5_000_000,
      falseMatches: 4999,
      empiricalFmr: 9.998e-4,
      fmrUpper95: 0.00102345,
      supported: true,
      minImpostors: 10_000,
      falseMatchImages: 900,
    },
    {
      fmr: 1e-4,
      threshold: 0.402345,
      impostorPairs: 5_000_000,
      falseMatches: 499,
      empiricalFmr: 9.98e-5,
      fmrUpper95: 0.000108,
      supported: true,
      minImpostors: 100_000,
      falseMatchImages: 300,
    },
    {
      fmr: 1e-6,
      threshold: 0.61,
      impostorPairs: 5_000_000,
      falseMatches: 5,
      empiricalFmr: 1e-6,
      fmrUpper95: 2.1e-6,
      supported: false,
      minImpostors: 10_000_000,
      falseMatchImages: 8,
    },
  ],
  operating: { fmr: 1e-4, threshold: 0.402345, reason: "supported" },
  calibration: { date: "2026-01-01T00:00:00.000Z", command: "npm run calibrate -- --write-manifest", counts: { impostorPairs: 5_000_000 } },
};

describe("manifest thresholds", () => {
  it("rewrites only models[id].embedding, keeping every other byte", async () => {
    const before = await readFile(FIXTURE, "utf8");
    const after = updateEmbeddingText(before, "fr512-v1", (old) => ({ ...old, threshold: 0.42, thresholds: [{ fmr: 1e-4, threshold: 0.42 }] }));
    const start = before.indexOf('"embedding": ') + '"embedding": '.length;
    expect(after.slice(0, start)).toBe(before.slice(0, start));
    const tail = before.slice(before.indexOf('"fr-liveness"') - 20);
    expect(after.endsWith(tail)).toBe(true);
    const emb = ModelManifest.parse(JSON.parse(after)).models["fr512-v1"]!.embedding!;
    expect(emb).toMatchObject({ dim: 512, metric: "cosine", threshold: 0.42, operatingFmr: 0.0001 });
  });

  it("writeManifestThresholds records the operating point, supported thresholds only, and provenance", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "facegate-manifest-"));
    const file = path.join(dir, "manifest.json");
    await copyFile(FIXTURE, file);
    await writeManifestThresholds(file, "fr512-v1", result);
    const text = await readFile(file, "utf8");
    const emb = ModelManifest.parse(JSON.parse(text)).models["fr512-v1"]!.embedding!;
    expect(emb.threshold).toBe(0.402345);
    expect(emb.operatingFmr).toBe(1e-4);
    expect(emb.thresholds.map((t) => t.fmr)).toEqual([1e-3, 1e-4]);
    expect(emb.thresholds[0]).toMatchObject({ impostorPairs: 5_000_000, falseMatches: 4999, fmrUpper95: 0.00102 });
    expect(emb.calibration).toMatchObject({ command: "npm run calibrate -- --write-manifest" });
    // Two-space indentation, short objects on one line as the rest of the file.
    expect(text).toContain('\n      "embedding": {\n        "dim": 512,');
    expect(text).toContain('\n          { "fmr": 1e-3, "threshold": 0.301234, "impostorPairs": 5000000, "falseMatches": 4999, "fmrUpper95": 1.02e-3 },');
    expect(text).toContain('"operatingFmr": 1e-4,');
    const shipped = await readShippedThresholds(file);
    expect(shipped.modelId).toBe("fr512-v1");
    expect(shippedThresholdFor(shipped, 1e-3)).toBe(0.301234);
    expect(shippedThresholdFor(shipped, 1e-5)).toBeUndefined();
  });

  it("adds an embedding entry to an embedding model that has none", async () => {
    const doc = JSON.parse(await readFile(FIXTURE, "utf8"));
    const { embedding, ...bare } = doc.models["fr512-v1"];
    doc.models["fr512-v1"] = bare;
    const out = updateEmbeddingText(JSON.stringify(doc, null, 2), "fr512-v1", () => embedding);
    expect(JSON.parse(out).models["fr512-v1"]).toEqual({ ...bare, embedding });
    expect(out).toContain('\n      "embedding": {\n        "dim": 512,');
  });

  it("refuses unknown models and models of another role", async () => {
    const before = await readFile(FIXTURE, "utf8");
    expect(() => updateEmbeddingText(before, "nope", (o) => o)).toThrow(/no model 'nope'/);
    expect(() => updateEmbeddingText(before, "fr-detect", (o) => o)).toThrow(/role 'detector'/);
  });

  it("refuses a result the schema rejects (threshold outside [-1, 1])", async () => {
    const before = await readFile(FIXTURE, "utf8");
    expect(() => updateEmbeddingText(before, "fr512-v1", (o) => ({ ...o, threshold: 1.5 }))).toThrow();
  });

  it("formats like the manifest: inline when it fits in 120 columns", () => {
    expect(formatJson({ a: [1, 2], b: { c: "x" } })).toBe('{ "a": [1, 2], "b": { "c": "x" } }');
    expect(formatJson([0.0001, 1.07e-5, 0.001, 0.00102, 0.01, 0, 0.35])).toBe("[1e-4, 1.07e-5, 1e-3, 1.02e-3, 0.01, 0, 0.35]");
    const long = { text: "y".repeat(130) };
    expect(formatJson(long, "  ", 2)).toBe(`{\n    "text": "${"y".repeat(130)}"\n  }`);
  });
});
