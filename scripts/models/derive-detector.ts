/**
 * Derives models/fr_detect.onnx from the package's original detector.
 *
 * The original (faceplugin-face-recognition-js@0.0.1, model/fr_detect.onnx)
 * takes a fixed [1,3,240,320] input and decodes its 4,420 prior boxes inside
 * the graph, with the priors baked in as constants for that one size. The
 * derived model is the same network with two changes, so the SDK can run it
 * at more than one resolution (a coarse pass first, docs/ARCHITECTURE.md):
 *
 * - the input's height and width are symbolic (`height`, `width`);
 * - the outputs are the network's raw `scores` (softmax, unchanged) and raw
 *   box regressions (`regressions`, [1, anchors, 4]): the 23 nodes that
 *   decoded them against the constant priors are removed, and the SDK decodes
 *   with priors generated for the size it ran (client/src/pipeline/detect/priors.ts).
 *
 * No weight changes. The script checks, with onnxruntime-node on random
 * inputs, that at 320x240 the derived scores equal the original's and that
 * decoding its regressions with the SDK's priors reproduces the original
 * `boxes` (to float32 rounding).
 *
 *   npx tsx scripts/models/derive-detector.ts <original fr_detect.onnx> [out]
 *
 * The ONNX protobuf codec is the one onnxruntime-web ships for its legacy
 * backend (lib/onnxjs/ort-schema/protobuf/onnx.js): a dev-time tool, not a
 * dependency of the SDK.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { decodeBoxes, detectorPriors } from "../../client/src/pipeline/detect/priors.js";

/** sha256 of the package's original model (models/manifest.json, source). */
const ORIGINAL_SHA256 = "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854";
/** The tensor that concatenates the four heads' box regressions, before decoding. */
const RAW_REGRESSIONS = "462";
export const REGRESSIONS_OUTPUT = "regressions";

interface OnnxCodec {
  ModelProto: { decode(b: Uint8Array): any; encode(m: any): { finish(): Uint8Array } };
  TensorShapeProto: { Dimension: { create(o: object): any } };
}

function codec(): OnnxCodec {
  // Not in the package's exports map: load the file by its path.
  const require = createRequire(import.meta.url);
  const path = fileURLToPath(new URL("../../node_modules/onnxruntime-web/lib/onnxjs/ort-schema/protobuf/onnx.js", import.meta.url));
  return require(path).onnx as OnnxCodec;
}

export function deriveDetector(original: Uint8Array): Uint8Array {
  const onnx = codec();
  const model = onnx.ModelProto.decode(original);
  const g = model.graph;
  // Keep exactly the nodes `scores` and the raw regressions depend on.
  const needed = new Set<string>(["scores", RAW_REGRESSIONS]);
  const kept: any[] = [];
  for (let i = g.node.length - 1; i >= 0; i--) {
    const node = g.node[i];
    if (node.output.some((o: string) => needed.has(o))) {
      kept.unshift(node);
      for (const input of node.input) needed.add(input);
    }
  }
  g.node = kept;
  for (const node of kept) node.output = node.output.map((o: string) => (o === RAW_REGRESSIONS ? REGRESSIONS_OUTPUT : o));
  g.initializer = g.initializer.filter((t: { name: string }) => needed.has(t.name));
  g.valueInfo = [];
  const dim = (p: string) => onnx.TensorShapeProto.Dimension.create({ dimParam: p });
  const inputDims = g.input[0].type.tensorType.shape.dim;
  inputDims[2] = dim("height");
  inputDims[3] = dim("width");
  const boxes = g.output.find((o: { name: string }) => o.name === "boxes");
  boxes.name = REGRESSIONS_OUTPUT;
  for (const o of g.output) o.type.tensorType.shape.dim[1] = dim("anchors");
  model.producerName = "facegate scripts/models/derive-detector.ts";
  return onnx.ModelProto.encode(model).finish();
}

async function check(original: Uint8Array, derived: Uint8Array): Promise<void> {
  const [a, b] = await Promise.all([ort.InferenceSession.create(original), ort.InferenceSession.create(derived)]);
  const [W, H] = [320, 240];
  const priors = detectorPriors(W, H);
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (let trial = 0; trial < 3; trial++) {
    const x = new Float32Array(3 * W * H).map(rand);
    const feed = { input: new ort.Tensor("float32", x, [1, 3, H, W]) };
    const [ra, rb] = await Promise.all([a.run(feed), b.run(feed)]);
    const boxes = ra.boxes!.data as Float32Array;
    const decoded = decodeBoxes(rb[REGRESSIONS_OUTPUT]!.data as Float32Array, priors);
    const sa = ra.scores!.data as Float32Array;
    const sb = rb.scores!.data as Float32Array;
    let dBox = 0;
    let dScore = 0;
    for (let i = 0; i < boxes.length; i++) dBox = Math.max(dBox, Math.abs(boxes[i]! - decoded[i]!));
    for (let i = 0; i < sa.length; i++) dScore = Math.max(dScore, Math.abs(sa[i]! - sb[i]!));
    if (decoded.length !== boxes.length || dBox > 1e-5 || dScore > 1e-5) {
      throw new Error(`derived detector disagrees with the original: boxes ${dBox}, scores ${dScore}`);
    }
    console.log(
      `check ${trial + 1}: ${priors.length / 4} anchors, max |box| difference ${dBox.toExponential(2)}, max |score| difference ${dScore.toExponential(2)}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [src, out = "models/fr_detect.onnx"] = process.argv.slice(2);
  if (!src) throw new Error("usage: derive-detector.ts <original fr_detect.onnx> [out]");
  const original = readFileSync(src);
  const sha = createHash("sha256").update(original).digest("hex");
  if (sha !== ORIGINAL_SHA256) throw new Error(`${src} is not the package's fr_detect.onnx (sha256 ${sha})`);
  const derived = deriveDetector(original);
  await check(original, derived);
  writeFileSync(out, derived);
  console.log(`${out}: ${derived.length} bytes, sha256 ${createHash("sha256").update(derived).digest("hex")}`);
}
