/**
 * Checks a derived model against the one it was derived from on what the
 * pipeline really feeds it: the SDK pipeline (onnxruntime-web WASM, as
 * shipped, PAD on) runs the original models on real photos while every
 * model input is recorded; then the original and the derived model run on
 * the recorded inputs, and their outputs are compared.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ModelEntryT, ModelManifestT } from "../../src/protocol/manifest.js";
import { FaceQualityError } from "../../client/src/errors.js";
import { readImageFile } from "../../client/src/image/decode-node.js";
import { loadNodePipeline } from "../../client/src/pipeline/load/load-node.js";
import { nodePlatform } from "../../client/src/runtime/ort-node.js";
import { ModelSession } from "../../client/src/runtime/session.js";
import { parseLfwPairs } from "../eval/data/pairs.js";
import { REPO_ROOT, sha256 } from "./package.js";
import { similarity } from "../../src/protocol/similarity.js";

export interface RecordedInput {
  image: string;
  dims: number[];
  data: Float32Array;
}

/** The development photos (../shared/data/faces: every photo, tests and examples only) in a fixed order. */
export async function developmentPhotos(dir = resolve(REPO_ROOT, "../shared/data/faces")): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    for (const f of (await readdir(join(dir, d))).sort()) if (/\.(jpe?g|png)$/i.test(f)) out.push(join(dir, d, f));
  }
  return out;
}

/** The first `n` distinct images of LFW's DevTrain pair list, in the list's order (never DevTest). */
export function devTrainImages(n: number, lfw = resolve(REPO_ROOT, "../shared/data/lfw-dev")): string[] {
  const file = join(lfw, "pairsDevTrain.txt");
  const pairs = parseLfwPairs(readFileSync(file, "utf8"), file, join(lfw, "images"));
  const seen = new Set<string>();
  for (const p of pairs) {
    for (const f of [p.a, p.b]) {
      if (seen.size < n) seen.add(f);
    }
  }
  return [...seen];
}

/**
 * Writes a models directory holding `files` (id -> bytes) under the given
 * manifest's entries, with each entry's sha256 and size set to its file's, so
 * the SDK loads exactly these bytes.
 */
export function modelsDirWith(dir: string, manifest: ModelManifestT, files: Record<string, Uint8Array>): string {
  mkdirSync(dir, { recursive: true });
  const m = structuredClone(manifest);
  for (const [id, bytes] of Object.entries(files)) {
    const e = m.models[id];
    if (!e) throw new Error(`manifest has no model ${id}`);
    writeFileSync(join(dir, e.file), bytes);
    e.sha256 = sha256(bytes);
    e.bytes = bytes.length;
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m, null, 2));
  return dir;
}

/**
 * Runs the SDK pipeline from `modelsDir` on `images` (PAD on, so the PAD
 * model runs too) and returns every input each model was given. A photo
 * the pipeline refuses part-way still contributes the inputs up to there.
 */
export async function recordModelInputs(modelsDir: string, images: readonly string[]): Promise<Map<string, RecordedInput[]>> {
  const out = new Map<string, RecordedInput[]>();
  let current = "";
  const run = ModelSession.prototype.run;
  ModelSession.prototype.run = async function (this: ModelSession, feeds) {
    const t = Object.values(feeds)[0]!;
    const list = out.get(this.id) ?? [];
    list.push({ image: current, dims: [...t.dims], data: new Float32Array(t.data as Float32Array) });
    out.set(this.id, list);
    return run.call(this, feeds);
  };
  const pipeline = await loadNodePipeline({ modelsDir, pad: true });
  try {
    for (const file of images) {
      current = file;
      try {
        await pipeline.analyze(await readImageFile(file), { pad: "report" });
      } catch (e) {
        if (!(e instanceof FaceQualityError)) throw e;
      }
    }
  } finally {
    ModelSession.prototype.run = run;
    await pipeline.dispose();
  }
  return out;
}

export interface OutputDifference {
  /** Model inputs compared (more than one per photo for the detector and the landmarks). */
  inputs: number;
  photos: number;
  /** True when every output value was bit-identical. */
  identical: boolean;
  /** Largest |derived - original| over all outputs and inputs, per output name. */
  maxAbsDiff: Record<string, number>;
  /** Embedding models: the lowest cosine similarity between the two models' outputs. */
  minCosine?: number;
}

/** Runs both models (onnxruntime-web WASM, the manifest's session options) on the recorded inputs and compares. */
export async function compareOutputs(
  id: string,
  entry: ModelEntryT,
  original: Uint8Array,
  derived: Uint8Array,
  inputs: readonly RecordedInput[],
): Promise<OutputDifference> {
  const { ort } = nodePlatform();
  const [a, b] = await Promise.all([ModelSession.create(ort, id, entry, original, "wasm"), ModelSession.create(ort, id, entry, derived, "wasm")]);
  const maxAbsDiff: Record<string, number> = {};
  let identical = true;
  let minCosine = Number.POSITIVE_INFINITY;
  try {
    for (const input of inputs) {
      const feed = (s: ModelSession) => ({ [entry.inputs[0]!.name]: s.tensor(input.data, input.dims) });
      const ra = await a.run(feed(a));
      const rb = await b.run(feed(b));
      for (const { name } of entry.outputs) {
        const x = ModelSession.floats(ra, name);
        const y = ModelSession.floats(rb, name);
        let d = maxAbsDiff[name] ?? 0;
        for (let i = 0; i < x.length; i++) {
          if (!Object.is(x[i], y[i])) identical = false;
          d = Math.max(d, Math.abs(x[i]! - y[i]!));
        }
        maxAbsDiff[name] = d;
        if (entry.role === "embedding") minCosine = Math.min(minCosine, similarity(x, y));
      }
    }
  } finally {
    await Promise.all([a.release(), b.release()]);
  }
  const photos = new Set(inputs.map((i) => i.image)).size;
  return { inputs: inputs.length, photos, identical, maxAbsDiff, ...(entry.role === "embedding" ? { minCosine } : {}) };
}
