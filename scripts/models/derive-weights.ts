/**
 * Derives the shipped model files from the package's originals
 * (faceplugin-face-recognition-js@0.0.1, fetched with `npm pack`, package.ts)
 * in two steps, and checks each (weights.ts says why and how):
 *
 *   1. denormal float32 weights flushed to zero;
 *   2. the matrix weights stored compressed (float16 or int8), or not; with
 *      int8-qdq, the 1x1 convolutions also compute in int8 (activations.ts),
 *      their activation ranges taken from the DevTrain images' inputs.
 *
 * fr-detect starts from the detector derived by derive-detector.ts (input
 * size symbolic, box decoding moved to the SDK), re-derived here from the
 * package's file and checked against the sha256 recorded for it.
 *
 * Each step's outputs are compared with the original's on the inputs the
 * SDK pipeline really gives each model (check.ts) on the development photos
 * (../shared/data/faces) and the first --devtrain images of LFW DevTrain.
 *
 *   npx tsx scripts/models/derive-weights.ts --compare
 *       every storage for every model: bytes (raw, gzip, brotli), output
 *       differences; writes nothing
 *   npx tsx scripts/models/derive-weights.ts --storage fr-detect=int8,fr-landmark68=int8,fr512-v1=int8,fr-liveness=int8 --write
 *       writes the files into models/ and their derivation into models/manifest.json
 *       (sha256, bytes, source.derivation); the embedding model's thresholds
 *       then need `npm run calibrate -- --write-manifest` (docs/ACCURACY.md)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { ModelManifest, type ModelManifestT } from "../../src/protocol/manifest.js";
import { setJsonMember } from "../eval/calibration/manifest.js";
import { quantizeActivations, RANGE_QUANTILE, SENSITIVE_LIMIT } from "./activations.js";
import { compareOutputs, developmentPhotos, devTrainImages, modelsDirWith, recordModelInputs, type OutputDifference, type RecordedInput } from "./check.js";
import { deriveDetector } from "./derive-detector.js";
import { codec, modelDenormals } from "./onnx.js";
import { originalFile, PACKAGE, REPO_ROOT, sha256, VERSION } from "./package.js";
import { flushDenormals, storeFloat16, storeInt8, type WeightStorage } from "./weights.js";

/** The package's files the models come from (sha256 of the npm tarball's files). */
export const ORIGINALS: Record<string, { path: string; sha256: string }> = {
  "fr-detect": { path: "model/fr_detect.onnx", sha256: "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854" },
  "fr-landmark68": { path: "model/fr_landmark.onnx", sha256: "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258" },
  "fr512-v1": { path: "model/fr_feature.onnx", sha256: "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581" },
  "fr-liveness": { path: "model/fr_liveness.onnx", sha256: "afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d" },
};
/** derive-detector.ts's output from the package's fr_detect.onnx: the starting point for fr-detect. */
export const DERIVED_DETECTOR_SHA256 = "a74d45ad862b480be0c3f864f314b3d0f0daad946f5c2a8b5786426de0f0b118";

/** The model each derivation starts from: the package's file, or for fr-detect the derived detector. */
export function startingModel(id: string): Uint8Array {
  const o = ORIGINALS[id];
  if (!o) throw new Error(`no original recorded for ${id}`);
  const bytes = originalFile(o.path, o.sha256);
  if (id !== "fr-detect") return bytes;
  const derived = deriveDetector(bytes);
  if (sha256(derived) !== DERIVED_DETECTOR_SHA256) throw new Error(`derive-detector.ts no longer reproduces its recorded output (sha256 ${sha256(derived)})`);
  return derived;
}

export function flushed(bytes: Uint8Array): { bytes: Uint8Array; flushed: number } {
  const onnx = codec();
  const m = onnx.ModelProto.decode(bytes);
  const n = flushDenormals(m);
  // Nothing to flush: keep the file as it is (re-encoding would change its bytes, not its content).
  return n ? { bytes: onnx.ModelProto.encode(m).finish(), flushed: n } : { bytes, flushed: 0 };
}

export function stored(bytes: Uint8Array, storage: Exclude<WeightStorage, "int8-qdq">): { bytes: Uint8Array; tensors: number } {
  if (storage === "float32") return { bytes, tensors: 0 };
  const onnx = codec();
  const m = onnx.ModelProto.decode(bytes);
  const tensors = storage === "float16" ? storeFloat16(m) : storeInt8(m);
  m.producerName = "facegate scripts/models/derive-weights.ts";
  return { bytes: onnx.ModelProto.encode(m).finish(), tensors };
}

/** int8-qdq: the int8 storage, then its 1x1 convolutions quantised on the calibration inputs (activations.ts). */
export async function storedQdq(
  bytes: Uint8Array,
  calibration: readonly RecordedInput[],
): Promise<{ bytes: Uint8Array; tensors: number; qdq: Record<string, unknown> }> {
  const int8 = stored(bytes, "int8");
  const q = await quantizeActivations(int8.bytes, calibration);
  return {
    bytes: q.bytes,
    tensors: int8.tensors,
    qdq: {
      calibration: `${calibration.length} inputs the pipeline gave the model on LFW DevTrain images`,
      rangeQuantile: RANGE_QUANTILE,
      quantizedConvs: q.quantized,
      keptFloat: q.keptFloat,
      sensitiveLimit: SENSITIVE_LIMIT,
      meanCosineDistance: Number(q.distance.toPrecision(3)),
    },
  };
}

export function compressedSizes(bytes: Uint8Array): { gzip: number; brotli: number } {
  return {
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}

const STORAGE_TEXT: Record<WeightStorage, string> = {
  float32: "float32, as the original",
  float16: "Conv/Gemm/MatMul weights as IEEE binary16, each behind a Cast to float32 that ONNX Runtime folds when the session is created",
  int8: "Conv/Gemm/MatMul weights as int8, symmetric, one scale (max |w| / 127) per output channel, each behind Cast + Mul (DequantizeLinear's arithmetic; per-channel DequantizeLinear needs opset 13, the model is opset 9), folded by ONNX Runtime when the session is created",
  "int8-qdq":
    "the int8 weights; the 1x1 convolutions in QDQ form (uint8 activations, one scale per tensor from quantiles of DevTrain activations; weights behind per-channel DequantizeLinear; bias int32), which ONNX Runtime fuses into QLinearConv (8-bit compute); opset 13; scripts/models/activations.ts",
};

const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
const rounded = (d: OutputDifference) => ({
  ...d,
  maxAbsDiff: Object.fromEntries(Object.entries(d.maxAbsDiff).map(([k, v]) => [k, v === 0 ? 0 : round(v, 3)])),
  // Rounded down, so that the recorded bound stays a bound.
  ...(d.minCosine !== undefined ? { minCosine: Math.floor(d.minCosine * 1e6) / 1e6 } : {}),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      compare: { type: "boolean", default: false },
      storage: { type: "string", default: "" },
      write: { type: "boolean", default: false },
      devtrain: { type: "string", default: "200" },
      models: { type: "string", default: join(REPO_ROOT, "models") },
    },
  });
  const manifestPath = join(values.models, "manifest.json");
  const manifestText = readFileSync(manifestPath, "utf8");
  const manifest: ModelManifestT = ModelManifest.parse(JSON.parse(manifestText));
  const ids = Object.keys(ORIGINALS);
  const starts = Object.fromEntries(ids.map((id) => [id, startingModel(id)]));

  // What the pipeline feeds each model, with the original models loaded.
  const photos = [...(await developmentPhotos()), ...devTrainImages(Number(values.devtrain))];
  const tmp = mkdtempSync(join(tmpdir(), "facegate-originals-"));
  const inputs = await recordModelInputs(modelsDirWith(tmp, manifest, starts), photos);
  rmSync(tmp, { recursive: true, force: true });
  const data = `../shared/data/faces (every photo) and the first ${values.devtrain} images of LFW pairsDevTrain.txt: the inputs the SDK pipeline (onnxruntime-web WASM, PAD on) gave each model, the original models loaded`;
  console.log(`recorded inputs from ${photos.length} photos: ${ids.map((id) => `${id} ${inputs.get(id)?.length ?? 0}`).join(", ")}`);

  const choice: Record<string, WeightStorage> = {};
  for (const kv of values.storage.split(",").filter(Boolean)) {
    const [id, s] = kv.split("=") as [string, WeightStorage];
    if (!ids.includes(id) || !["float32", "float16", "int8", "int8-qdq"].includes(s)) throw new Error(`--storage: bad entry ${kv}`);
    choice[id] = s;
  }
  let text = manifestText;
  for (const id of ids) {
    const entry = manifest.models[id]!;
    const start = starts[id]!;
    const denormals = modelDenormals(start);
    const f = flushed(start);
    const recorded = inputs.get(id) ?? [];
    if (recorded.length === 0) throw new Error(`${id}: the pipeline never ran it on the photos`);
    const flushCheck = await compareOutputs(id, entry, start, f.bytes, recorded);
    console.log(
      `\n${id}: ${denormals.denormals} denormal float32 weights of ${denormals.floats} (${denormals.tensors} tensors) flushed; outputs ${flushCheck.identical ? "bit-identical" : JSON.stringify(rounded(flushCheck))} on ${flushCheck.inputs} inputs`,
    );
    const options: WeightStorage[] = values.compare ? ["float32", "float16", "int8"] : [choice[id] ?? "float32"];
    const results: Record<string, unknown> = {};
    // Activation ranges come from DevTrain only (never the development photos, which tests use).
    const train = new Set(devTrainImages(Number(values.devtrain)));
    const calibration = recorded.filter((r) => train.has(r.image));
    for (const storage of options) {
      const s = storage === "int8-qdq" ? await storedQdq(f.bytes, calibration) : { ...stored(f.bytes, storage), qdq: undefined };
      const check = storage === "float32" ? flushCheck : await compareOutputs(id, entry, start, s.bytes, recorded);
      const sizes = compressedSizes(s.bytes);
      results[storage] = { bytes: s.bytes.length, ...sizes, check: rounded(check) };
      console.log(
        `  ${storage.padEnd(7)} ${String(s.bytes.length).padStart(8)} B, gzip ${String(sizes.gzip).padStart(8)}, brotli ${String(sizes.brotli).padStart(8)}; ${check.identical ? "identical" : JSON.stringify(rounded(check).maxAbsDiff) + (check.minCosine !== undefined ? ` min cosine ${rounded(check).minCosine}` : "")}`,
      );
      if (!values.write || values.compare) continue;
      writeFileSync(join(values.models, entry.file), s.bytes);
      const o = ORIGINALS[id]!;
      const startBytes = originalFile(o.path, o.sha256);
      const source = {
        ...(entry.source as Record<string, unknown>),
        package: PACKAGE,
        version: VERSION,
        path: o.path,
        sha256: o.sha256,
        bytes: startBytes.length,
        derivation: {
          command: `npx tsx scripts/models/derive-weights.ts --storage ${ids.map((k) => `${k}=${choice[k] ?? "float32"}`).join(",")} --write`,
          ...(id === "fr-detect" ? { from: { by: "scripts/models/derive-detector.ts", sha256: DERIVED_DETECTOR_SHA256, bytes: start.length } } : {}),
          denormals: { flushed: f.flushed, floats: denormals.floats, tensors: denormals.tensors },
          flushed: { sha256: sha256(f.bytes), bytes: f.bytes.length, check: rounded(flushCheck) },
          storage,
          storageDetail: STORAGE_TEXT[storage],
          ...(s.qdq ? { qdq: s.qdq } : {}),
          check: { data, ...rounded(check) },
          compressed: sizes,
        },
      };
      text = setJsonMember(text, ["models", id, "source"], source);
      text = setJsonMember(text, ["models", id, "sha256"], sha256(s.bytes));
      text = setJsonMember(text, ["models", id, "bytes"], s.bytes.length);
    }
    if (values.compare) console.log(JSON.stringify({ [id]: results }));
  }
  if (values.write && !values.compare) {
    writeFileSync(manifestPath, text);
    console.log(`\nwrote the files into ${values.models} and their derivation into ${manifestPath}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
