/**
 * `npx tsx scripts/eval/cross-runtime.ts [--models models] [--pairs <LFW pair file>]`: whether a
 * template made on one runtime matches a capture made on another. The SDK pipeline runs every
 * image of the pair list twice, on onnxruntime-web's WASM kernels (browsers without WebGPU,
 * Node) and on onnxruntime-node's native CPU kernels (what a native port runs, docs/MOBILE.md),
 * and the pairs are scored with the reference from one and the probe from the other, at the
 * manifest's operating threshold. With the embedding model computing in int8 the two runtimes no
 * longer agree to float32's 1e-5 (docs/BENCHMARKS.md "int8 compute in the embedding model"); this
 * says what that does to decisions. DevTest by default: it tunes nothing.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { FaceQualityError } from "../../client/src/errors.js";
import { readImageFile } from "../../client/src/image/decode-node.js";
import type { FacePipeline } from "../../client/src/pipeline/face-pipeline.js";
import { loadNodePipeline } from "../../client/src/pipeline/load/load-node.js";
import type { Ort, OrtPlatform } from "../../client/src/runtime/ort.js";
import { ModelManifest } from "../../src/protocol/manifest.js";
import { similarity } from "../../src/protocol/similarity.js";
import { parseLfwPairs } from "./data/pairs.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    models: { type: "string", default: path.join(ROOT, "models") },
    pairs: { type: "string", default: path.join(ROOT, "../shared/data/lfw-dev/pairsDevTest.txt") },
  },
});
const manifest = ModelManifest.parse(JSON.parse(readFileSync(path.join(values.models, "manifest.json"), "utf8")));
const [modelId, entry] = Object.entries(manifest.models).find(([, m]) => m.role === "embedding")!;
const threshold = entry.embedding!.threshold;
const pairs = parseLfwPairs(readFileSync(values.pairs, "utf8"), values.pairs, path.join(path.dirname(values.pairs), "images"));
const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];

const ortNode = (await import("onnxruntime-node")) as unknown as Ort;
const nativePlatform: OrtPlatform = {
  name: "onnxruntime-node",
  ort: ortNode,
  threads: 1,
  selectProvider: async () => ({ provider: "wasm", reason: "onnxruntime-node's native CPU provider" }),
};
const runtimes: [string, FacePipeline][] = [
  ["wasm", await loadNodePipeline({ modelsDir: values.models })],
  [
    "native",
    await loadNodePipeline({ modelsDir: values.models, platform: nativePlatform }, { tooling: { executionProviders: ["cpu"], intraOpNumThreads: 1 } }),
  ],
];
const embeddings = new Map<string, Map<string, Float32Array>>(runtimes.map(([n]) => [n, new Map()]));
for (const [i, file] of files.entries()) {
  const image = await readImageFile(file);
  for (const [name, pipeline] of runtimes) {
    try {
      embeddings.get(name)!.set(file, (await pipeline.analyze(image)).embedding);
    } catch (e) {
      if (!(e instanceof FaceQualityError)) throw e;
    }
  }
  if ((i + 1) % 250 === 0) process.stderr.write(`images ${i + 1}/${files.length}\n`);
}
for (const [, p] of runtimes) await p.dispose();

const W = embeddings.get("wasm")!;
const N = embeddings.get("native")!;
const self = files.filter((f) => W.has(f) && N.has(f)).map((f) => similarity(W.get(f)!, N.get(f)!));
self.sort((a, b) => a - b);
const q = (v: number[], p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))]!;
console.log(`${modelId}, threshold ${threshold}, ${pairs.length} pairs, ${files.length} images (${W.size} on WASM, ${N.size} native)`);
console.log(`one image, native against WASM: cosine min ${self[0]!.toFixed(5)}, 1% ${q(self, 0.01).toFixed(5)}, median ${q(self, 0.5).toFixed(5)}`);
const genuine = pairs.filter((p) => p.same).length;
for (const [ref, probe] of [
  ["wasm", "wasm"],
  ["wasm", "native"],
  ["native", "wasm"],
  ["native", "native"],
] as const) {
  const R = embeddings.get(ref)!;
  const P = embeddings.get(probe)!;
  let matched = 0;
  let falseMatches = 0;
  for (const p of pairs) {
    const a = R.get(p.a);
    const b = P.get(p.b);
    if (!a || !b || similarity(a, b) < threshold) continue;
    if (p.same) matched++;
    else falseMatches++;
  }
  console.log(
    `reference ${ref.padEnd(6)} probe ${probe.padEnd(6)}: genuine matched ${matched}/${genuine}, impostors matched ${falseMatches}/${pairs.length - genuine}`,
  );
}
const moved: number[] = [];
let changed = 0;
for (const p of pairs) {
  const a = W.get(p.a);
  const b = W.get(p.b);
  const c = N.get(p.b);
  if (!a || !b || !c) continue;
  const s = similarity(a, b);
  const t = similarity(a, c);
  moved.push(Math.abs(s - t));
  if (s >= threshold !== t >= threshold) changed++;
}
moved.sort((a, b) => a - b);
console.log(
  `probe on native instead of WASM: similarity moved by median ${q(moved, 0.5).toFixed(5)}, 99% ${q(moved, 0.99).toFixed(5)}, max ${moved[moved.length - 1]!.toFixed(5)}; decisions changed ${changed}/${moved.length}`,
);
