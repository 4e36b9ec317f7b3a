/**
 * Node's side of the Hermes test (hermes.test.ts): record the real models'
 * runs on real photos, bundle the React Native entry for Hermes, run it in
 * hermes-engine-cli's `hermes` binary.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformAsync } from "@babel/core";
import { base64 } from "@scure/base";
import { build } from "esbuild";
import type { RgbaImage } from "../../../../client/src/image/types.js";
import { loadNodePipeline } from "../../../../client/src/pipeline/load/load-node.js";
import type { Ort, OrtPlatform, Tensor } from "../../../../client/src/runtime/ort.js";
import { nodePlatform } from "../../../../client/src/runtime/ort-node.js";
import type { HermesInput, HermesOutput, RecordedModel, RecordedTensor } from "./protocol.js";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
export const MODELS_DIR = join(REPO, "models");
export const HERMES = join(REPO, "node_modules/hermes-engine-cli/linux64-bin/hermes");
const HERE = fileURLToPath(new URL("./", import.meta.url));

const b64floats = (data: ArrayLike<number>): string => base64.encode(new Uint8Array(Float32Array.from(data).buffer));

function recordTensor(t: Tensor): RecordedTensor {
  if (t.type !== "float32") throw new Error(`only float32 tensors are recorded (got ${t.type})`);
  // Copied now: the pipeline reuses its input buffers across runs.
  return { dims: [...t.dims], data: b64floats(t.data as Float32Array) };
}

/** nodePlatform() whose sessions record every run's feeds and outputs. */
export function recordingPlatform(): { platform: OrtPlatform; recording: RecordedModel[] } {
  const base = nodePlatform({ threads: 1 });
  const recording: RecordedModel[] = [];
  const ort: Ort = {
    Tensor: base.ort.Tensor,
    InferenceSession: {
      async create(bytes, options) {
        const s = await base.ort.InferenceSession.create(bytes, options);
        const m: RecordedModel = { bytes: bytes.length, inputNames: [...s.inputNames], outputNames: [...s.outputNames], calls: [] };
        recording.push(m);
        return {
          inputNames: s.inputNames,
          outputNames: s.outputNames,
          async run(feeds) {
            const inputs = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, recordTensor(t)]));
            const out = await s.run(feeds);
            m.calls.push({ inputs, outputs: Object.fromEntries(Object.entries(out).map(([k, t]) => [k, recordTensor(t)])) });
            return out;
          },
          release: () => s.release(),
        };
      },
    },
  };
  return { platform: { ...base, ort }, recording };
}

/**
 * The Node reference: the SDK's pipeline on onnxruntime-web (WASM), the
 * images analysed in the order the Hermes program will (its embeds, then its
 * actions' captures), recording the models' runs. Returns one embedding per
 * analysis, in that order.
 */
export async function recordInNode(images: RgbaImage[], order: readonly number[]): Promise<{ embeddings: Float32Array[]; recording: RecordedModel[] }> {
  const { platform, recording } = recordingPlatform();
  const pipeline = await loadNodePipeline({ modelsDir: MODELS_DIR, platform, provider: "wasm" });
  try {
    const embeddings: Float32Array[] = [];
    for (const i of order) embeddings.push((await pipeline.analyze(images[i]!, { pad: "off" })).embedding.slice());
    return { embeddings, recording };
  } finally {
    await pipeline.dispose();
  }
}

/** The models as the app bundle holds them: every .onnx the pipeline loads without PAD, base64. */
export function bundledModels(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(MODELS_DIR)
      .filter((f) => f.endsWith(".onnx") && f !== "fr_liveness.onnx")
      .map((f) => [f, base64.encode(readFileSync(join(MODELS_DIR, f)))]),
  );
}

export const encodeImage = (i: RgbaImage) => ({
  width: i.width,
  height: i.height,
  data: base64.encode(new Uint8Array(i.data.buffer, i.data.byteOffset, i.data.byteLength)),
});

/**
 * entry.ts and @facegate/react-native's built dist as one script for Hermes
 * 0.12: esbuild lowers what that Hermes lacks (async arrows and functions to
 * generators, async iteration, class fields and private fields), then
 * Babel's class transform (what React Native's Babel preset does for
 * Hermes) turns classes into functions, which it cannot parse at all.
 */
export async function bundleForHermes(entry = "entry.ts"): Promise<{ code: string; esbuildBytes: number }> {
  const out = await build({
    entryPoints: [join(HERE, entry)],
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["react-native", "import"],
    target: "es2017",
    supported: { "async-await": false },
    alias: { "onnxruntime-react-native": join(HERE, "replay-ort.ts") },
    legalComments: "none",
    logLevel: "silent",
  });
  const esbuilt = out.outputFiles[0]!.text;
  const lowered = await transformAsync(esbuilt, {
    babelrc: false,
    configFile: false,
    sourceType: "script",
    compact: true,
    plugins: ["@babel/plugin-transform-classes"],
  });
  if (!lowered?.code) throw new Error("Babel produced no code");
  return { code: lowered.code, esbuildBytes: esbuilt.length };
}

/** Runs the bundle in Hermes with `input` as a global; returns its one JSON line. */
export function runInHermes<I = HermesInput, O = HermesOutput>(code: string, input: I): O {
  const dir = mkdtempSync(join(tmpdir(), "facegate-hermes-"));
  const file = join(dir, "bundle.js");
  writeFileSync(file, `var __FACEGATE_INPUT = ${JSON.stringify(input)};\n${code}`);
  const stdout = execFileSync(HERMES, [file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as O;
}

export function hermesVersion(): string {
  const v = execFileSync(HERMES, ["-version"], { encoding: "utf8" });
  return /Hermes release version: (\S+)/.exec(v)?.[1] ?? "unknown";
}
