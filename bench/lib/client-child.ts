/**
 * One contender of `npm run bench:client`, in its own process (ORT's WASM
 * thread count is fixed per process, tfjs's too). Forked by bench/client.ts;
 * it loads its runtime, warms up, then analyses the image indices it is sent,
 * one chunk at a time, so the parent can interleave contenders.
 *
 * Messages in:  {type:"init", spec, images, warmup} | {type:"run", round, indices, embeddings} | {type:"exit"}
 * Messages out: {type:"ready", info} | {type:"result", samples, embeddings?} | {type:"error", message}
 */
import { fileURLToPath } from "node:url";
import { FaceQualityError } from "../../client/src/errors.js";
import type { RgbaImage } from "../../client/src/image/types.js";
import type { FacePipeline } from "../../client/src/pipeline/face-pipeline.js";
import { loadNodePipeline } from "../../client/src/pipeline/load/load-node.js";
import type { Ort, OrtPlatform } from "../../client/src/runtime/ort.js";
import { ModelSession } from "../../client/src/runtime/session.js";
import type { ImageSample } from "./client-stats.js";
import { analyzeFaceApi, loadFaceApi, type FaceApiRuntime } from "./faceapi-node.js";
import { packageVersion } from "./sample.js";

export type ContenderKind = "facegate-wasm" | "facegate-native" | "faceapi";

export interface ContenderSpec {
  id: string;
  kind: ContenderKind;
  threads: number;
}

export interface ContenderInfo {
  id: string;
  kind: ContenderKind;
  requestedThreads: number;
  /** Threads the runtime reports it actually uses (when it can tell). */
  actualThreads: number;
  runtime: string;
  versions: Record<string, string>;
  notes: string[];
  loadMs: number;
  pipelineVersion?: string;
}

export type ChildIn =
  | { type: "init"; spec: ContenderSpec; images: RgbaImage[]; warmup: number; modelsDir: string }
  | { type: "run"; round: number; indices: number[]; embeddings: boolean }
  | { type: "exit" };

export type ChildOut =
  | { type: "ready"; info: ContenderInfo }
  | { type: "result"; samples: ImageSample[]; embeddings?: Record<number, Float32Array> }
  | { type: "error"; message: string };

const version = (p: string): string => packageVersion(p);

interface Analyzer {
  info: Omit<ContenderInfo, "loadMs">;
  analyze(img: RgbaImage, index: number, round: number): Promise<{ sample: ImageSample; embedding?: Float32Array }>;
}

/**
 * Time spent inside ORT per model, per image: wraps ModelSession.run (this
 * process only) so the benchmark can separate the models' kernels, which
 * differ between WASM and native, from the pipeline's own JavaScript, which is
 * the same code on both.
 */
function instrumentModelRuns(): { take(): Record<string, { wall: number; cpu: number; runs: number }> } {
  let acc: Record<string, { wall: number; cpu: number; runs: number }> = {};
  const run = ModelSession.prototype.run;
  ModelSession.prototype.run = async function (this: ModelSession, feeds) {
    const c = process.cpuUsage();
    const t = performance.now();
    try {
      return await run.call(this, feeds);
    } finally {
      const wall = performance.now() - t;
      const d = process.cpuUsage(c);
      const e = (acc[this.id] ??= { wall: 0, cpu: 0, runs: 0 });
      e.wall += wall;
      e.cpu += (d.user + d.system) / 1000;
      e.runs++;
    }
  };
  return {
    take() {
      const out = acc;
      acc = {};
      return out;
    },
  };
}

async function facegateAnalyzer(spec: ContenderSpec, modelsDir: string): Promise<Analyzer> {
  const runs = instrumentModelRuns();
  let pipeline: FacePipeline;
  let runtime: string;
  const versions: Record<string, string> = {};
  if (spec.kind === "facegate-native") {
    const ortNode = (await import("onnxruntime-node")) as unknown as Ort;
    // The same pipeline code; only the ORT namespace and provider differ.
    const platform: OrtPlatform = {
      name: "onnxruntime-node",
      ort: ortNode,
      threads: spec.threads,
      selectProvider: async () => ({ provider: "wasm", reason: "benchmark: onnxruntime-node's native CPU provider" }),
    };
    pipeline = await loadNodePipeline({ modelsDir, platform }, { tooling: { executionProviders: ["cpu"], intraOpNumThreads: spec.threads } });
    runtime = `onnxruntime-node ${version("onnxruntime-node")} CPU EP, intraOpNumThreads ${spec.threads}`;
    versions["onnxruntime-node"] = version("onnxruntime-node");
  } else {
    pipeline = await loadNodePipeline({ modelsDir, threads: spec.threads });
    runtime = `onnxruntime-web ${version("onnxruntime-web")} WASM (SIMD), numThreads ${spec.threads}`;
    versions["onnxruntime-web"] = version("onnxruntime-web");
  }
  return {
    info: {
      id: spec.id,
      kind: spec.kind,
      requestedThreads: spec.threads,
      actualThreads: spec.threads,
      runtime,
      versions,
      notes: [],
      pipelineVersion: pipeline.pipelineVersion,
    },
    async analyze(img, image, round) {
      runs.take();
      const c = process.cpuUsage();
      try {
        // Quality gates measured but not enforced: every detected face goes through every stage.
        const a = await pipeline.analyze(img, { enforceQuality: false });
        const d = process.cpuUsage(c);
        const t = a.timings;
        // A stage some pipeline versions have (an image-cleaning step before detection) and others not.
        const denoise = (t as unknown as Record<string, number | undefined>)["denoise"];
        return {
          sample: {
            image,
            round,
            ok: true,
            stages: {
              ...(denoise !== undefined ? { denoise } : {}),
              detect: t.detect,
              landmarks: t.landmarks,
              align: t.align,
              quality: t.quality,
              embed: t.embed,
              total: t.total,
              cpu: (d.user + d.system) / 1000,
            },
            models: runs.take(),
          },
          embedding: a.embedding,
        };
      } catch (e) {
        if (e instanceof FaceQualityError) return { sample: { image, round, ok: false, reason: e.reason, stages: {} } };
        throw e;
      }
    },
  };
}

async function faceApiAnalyzer(spec: ContenderSpec): Promise<Analyzer> {
  const rt: FaceApiRuntime = await loadFaceApi(spec.threads);
  return {
    info: {
      id: spec.id,
      kind: spec.kind,
      requestedThreads: spec.threads,
      actualThreads: rt.actualThreads,
      runtime: `@vladmandic/face-api ${rt.versions["@vladmandic/face-api"]} on tfjs-backend-wasm ${rt.versions["@tensorflow/tfjs-backend-wasm"]} (SIMD ${rt.simdSupported ? "on" : "off"}), ${rt.actualThreads} thread(s)`,
      versions: rt.versions,
      notes: rt.notes,
    },
    async analyze(img, image, round) {
      const c = process.cpuUsage();
      const r = await analyzeFaceApi(rt, img);
      const d = process.cpuUsage(c);
      return {
        sample: { image, round, ok: r.ok, ...(r.reason ? { reason: r.reason } : {}), stages: { ...r.stages, cpu: (d.user + d.system) / 1000 } },
      };
    },
  };
}

function send(msg: ChildOut): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("client-child.ts is forked by bench/client.ts");
  let analyzer: Analyzer | null = null;
  let images: RgbaImage[] = [];
  const queue: ChildIn[] = [];
  let wake: (() => void) | null = null;
  process.on("message", (m: ChildIn) => {
    queue.push(m);
    wake?.();
  });
  const next = async (): Promise<ChildIn> => {
    while (!queue.length) await new Promise<void>((r) => (wake = r));
    wake = null;
    return queue.shift()!;
  };
  for (;;) {
    const msg = await next();
    if (msg.type === "exit") break;
    if (msg.type === "init") {
      images = msg.images;
      const t0 = performance.now();
      analyzer = msg.spec.kind === "faceapi" ? await faceApiAnalyzer(msg.spec) : await facegateAnalyzer(msg.spec, msg.modelsDir);
      const loadMs = performance.now() - t0;
      for (let r = 0; r < 2; r++) for (let i = 0; i < Math.min(msg.warmup, images.length); i++) await analyzer.analyze(images[i]!, i, -1);
      await send({ type: "ready", info: { ...analyzer.info, loadMs } });
      continue;
    }
    if (!analyzer) throw new Error("run before init");
    const samples: ImageSample[] = [];
    const embeddings: Record<number, Float32Array> = {};
    for (const i of msg.indices) {
      const r = await analyzer.analyze(images[i]!, i, msg.round);
      samples.push(r.sample);
      if (msg.embeddings && r.embedding) embeddings[i] = r.embedding;
    }
    await send({ type: "result", samples, ...(msg.embeddings ? { embeddings } : {}) });
  }
  process.disconnect?.();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch(async (e: unknown) => {
    const message = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
    try {
      await send({ type: "error", message });
    } finally {
      process.exit(1);
    }
  });
}
