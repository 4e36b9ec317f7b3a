/**
 * The shipped model files are what their manifest derivation says
 * (docs/BENCHMARKS.md, "Model files"): re-derived here from the package's
 * originals (npm pack, package.ts) they come out byte for byte; they hold no
 * denormal weight; and on a few development photos their outputs stay
 * within the differences the derivation measured on all of them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODELS_DIR } from "../../client/src/pipeline/testing.js";
import { readManifest } from "../../client/src/runtime/model-dir-node.js";
import { compareOutputs, developmentPhotos, modelsDirWith, recordModelInputs, type RecordedInput } from "./check.js";
import { requantize } from "./activations.js";
import { flushed, ORIGINALS, startingModel, stored } from "./derive-weights.js";
import { codec, countDenormals } from "./onnx.js";
import { sha256 } from "./package.js";
import { effectiveWeights, weightStorage, type WeightStorage } from "./weights.js";

const manifest = await readManifest(MODELS_DIR);
const ids = Object.keys(ORIGINALS);

interface Derivation {
  denormals: { flushed: number };
  flushed: { sha256: string };
  storage: WeightStorage;
  check: { identical: boolean; maxAbsDiff: Record<string, number>; minCosine?: number };
}
const derivation = (id: string) => (manifest.models[id]!.source as { derivation?: Derivation }).derivation!;
const shipped = (id: string) => new Uint8Array(readFileSync(join(MODELS_DIR, manifest.models[id]!.file)));

describe("shipped models against their derivation", () => {
  const starts = new Map<string, Uint8Array>();
  let inputs: Map<string, RecordedInput[]>;
  let tmp: string;

  beforeAll(async () => {
    for (const id of ids) starts.set(id, startingModel(id));
    // Three photos of different people; the derivation's check ran on these and 218 more.
    const photos = (await developmentPhotos()).filter((p) => /(obama_1|biden_1|rose_leslie_1)\.jpg$/.test(p));
    expect(photos).toHaveLength(3);
    tmp = mkdtempSync(join(tmpdir(), "facegate-originals-"));
    inputs = await recordModelInputs(modelsDirWith(tmp, manifest, Object.fromEntries(starts)), photos);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.each(ids)("%s: re-deriving it from the package's original gives the shipped bytes", (id) => {
    const d = derivation(id);
    const f = flushed(starts.get(id)!);
    expect(f.flushed).toBe(d.denormals.flushed);
    expect(sha256(f.bytes)).toBe(d.flushed.sha256);
    // int8-qdq: the transform again, with the activation ranges the derivation calibrated (read from the file).
    const s = d.storage === "int8-qdq" ? { bytes: requantize(stored(f.bytes, "int8").bytes, shipped(id)) } : stored(f.bytes, d.storage);
    expect(sha256(s.bytes)).toBe(manifest.models[id]!.sha256);
    expect(sha256(shipped(id))).toBe(manifest.models[id]!.sha256);
  });

  it.each(ids)("%s: computes with no denormal weight, stored as the manifest says", (id) => {
    const model = codec().ModelProto.decode(shipped(id));
    expect(weightStorage(model)).toBe(derivation(id).storage);
    let denormals = 0;
    for (const w of effectiveWeights(model).values()) denormals += countDenormals(w);
    expect(denormals).toBe(0);
  });

  it.each(ids)("%s: outputs on development photos within the derivation's measured differences", async (id) => {
    const d = derivation(id);
    const recorded = inputs.get(id)!;
    expect(recorded.length).toBeGreaterThanOrEqual(3);
    const diff = await compareOutputs(id, manifest.models[id]!, starts.get(id)!, shipped(id), recorded);
    for (const [name, bound] of Object.entries(d.check.maxAbsDiff)) {
      // The recorded bound is rounded to 3 significant digits.
      expect(diff.maxAbsDiff[name]).toBeLessThanOrEqual(bound * 1.001);
    }
    if (d.check.minCosine !== undefined) expect(diff.minCosine).toBeGreaterThanOrEqual(d.check.minCosine);
    if (d.check.identical) expect(diff.identical).toBe(true);
  });
});
