/**
 * `npm run bench:client`: per-stage latency of the on-device face pipeline
 * in Node, on a fixed seeded sample of LFW images (../shared/data/lfw-dev),
 * beside face-api.js and beside the same pipeline on onnxruntime-node's native
 * CPU provider (the on-this-machine limit), in one run.
 *
 * Contenders (one child process each: ORT's and tfjs's WASM thread counts are
 * fixed per process):
 *   facegate-wasm-1t / -2t    the SDK's pipeline on onnxruntime-web WASM, 1 / 2 threads
 *   facegate-native-1t / -2t  the same pipeline code on onnxruntime-node's CPU EP
 *   faceapi-1t / -2t          @vladmandic/face-api on tfjs WASM: SSD MobileNet v1 +
 *                             68 landmarks + 128-d descriptor
 * Images are decoded once here (timed separately) and sent to every child.
 * The machine is shared and noisy, so contenders are interleaved: each round
 * walks the images in chunks and, per chunk, runs every contender in turn
 * (rotating the order), one process busy at a time. Reported: per-stage
 * medians over all (image, round) samples of the images every contender
 * found a face in, plus process CPU time per image (less sensitive to other
 * load; covers all threads).
 *
 *   npm run bench:client -- [--images 100] [--rounds 3] [--chunk 10] [--seed 1]
 *     [--contenders facegate-wasm-1t,facegate-native-1t,...] [--warmup 3] [--out artifacts/bench/client.json]
 */
import { similarity } from "../src/protocol/similarity.js";
import { fork, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeImage } from "../client/src/image/decode-node.js";
import type { RgbaImage } from "../client/src/image/types.js";
import type { ChildIn, ChildOut, ContenderInfo, ContenderSpec } from "./lib/client-child.js";
import {
  commonImages,
  ratio,
  refusals,
  outsideModelsCpu,
  summarise,
  summariseModels,
  type ImageSample,
  type Stage,
  type StageSummary,
} from "./lib/client-stats.js";
import { cpuInfo, describeCpu } from "./lib/cpu.js";
import { chunked, listPersonImages, packageVersion, rotation, seededSample } from "./lib/sample.js";
import { fmt, median, table } from "./lib/stats.js";
import { parseCommandLine } from "../scripts/lib/command-line.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ALL: ContenderSpec[] = [
  { id: "facegate-wasm-1t", kind: "facegate-wasm", threads: 1 },
  { id: "facegate-native-1t", kind: "facegate-native", threads: 1 },
  { id: "faceapi-1t", kind: "faceapi", threads: 1 },
  { id: "facegate-wasm-2t", kind: "facegate-wasm", threads: 2 },
  { id: "facegate-native-2t", kind: "facegate-native", threads: 2 },
  { id: "faceapi-2t", kind: "faceapi", threads: 2 },
];

const values = parseCommandLine({
  command: "npm run bench:client",
  summary: "Per-stage latency of the on-device pipeline in Node beside face-api.js and onnxruntime-node, interleaved in one run.",
  options: {
    images: { type: "string", default: "100" },
    rounds: { type: "string", default: "3" },
    chunk: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    warmup: { type: "string", default: "3" },
    contenders: { type: "string", default: ALL.map((c) => c.id).join(",") },
    data: { type: "string", default: resolve(ROOT, "../shared/data/lfw-dev/images") },
    models: { type: "string", default: join(ROOT, "models") },
    out: { type: "string", default: join(ROOT, "artifacts/bench/client.json") },
    "keep-unhonoured": { type: "boolean", default: false },
  },
  help: {
    images: "LFW images in the seeded sample",
    rounds: "passes over the images",
    chunk: "images per contender turn",
    seed: "the sample's seed",
    warmup: "images each contender runs before timing",
    contenders: "comma-separated contender ids",
    data: "LFW images directory",
    models: "the models directory",
    out: "the JSON report",
    "keep-unhonoured": "measure a contender even when the runtime gave it the thread count of one already measured",
  },
});
const N = Number(values.images);
const ROUNDS = Number(values.rounds);
const CHUNK = Number(values.chunk);
const SEED = Number(values.seed);
const WARMUP = Number(values.warmup);
const wanted = values.contenders
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const specs = wanted.map((id) => {
  const s = ALL.find((c) => c.id === id);
  if (!s) throw new Error(`unknown contender ${id}; known: ${ALL.map((c) => c.id).join(", ")}`);
  return s;
});
const log = (s: string) => console.error(s);

// ---- images: a fixed seeded sample, decoded once ----------------------------------
const names = seededSample(await listPersonImages(values.data), N, SEED);
const images: RgbaImage[] = [];
const decodeMs: number[] = [];
for (const name of names) {
  const bytes = new Uint8Array(await readFile(join(values.data, name)));
  const times: number[] = [];
  let img: RgbaImage | null = null;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    img = decodeImage(bytes);
    times.push(performance.now() - t);
  }
  images.push({ data: new Uint8ClampedArray(img!.data), width: img!.width, height: img!.height });
  decodeMs.push(median(times));
}
const sizes = [...new Set(images.map((i) => `${i.width}x${i.height}`))];
log(`${images.length} images (seed ${SEED}, ${sizes.join(", ")}), JPEG decode (jpeg-js) median ${fmt(median(decodeMs), 2)} ms`);

// ---- children -------------------------------------------------------------------
interface Child {
  spec: ContenderSpec;
  proc: ChildProcess;
  info?: ContenderInfo;
  pending: ((m: ChildOut) => void) | null;
  samples: ImageSample[];
  embeddings: Record<number, Float32Array>;
}

const CHILD = fileURLToPath(new URL("./lib/client-child.ts", import.meta.url));
const children: Child[] = [];
const killAll = () => {
  for (const c of children) if (c.proc.exitCode === null && !c.proc.killed) c.proc.kill();
};
process.on("exit", killAll);
process.on("SIGINT", () => process.exit(130));

function start(spec: ContenderSpec): Child {
  const proc = fork(CHILD, [], { serialization: "advanced", stdio: ["ignore", 2, 2, "ipc"] });
  const child: Child = { spec, proc, pending: null, samples: [], embeddings: {} };
  proc.on("message", (m: ChildOut) => {
    if (m.type === "error") {
      log(`${spec.id} failed: ${m.message}`);
      process.exit(1);
    }
    const p = child.pending;
    child.pending = null;
    p?.(m);
  });
  proc.on("exit", (code) => {
    if (child.pending) {
      log(`${spec.id} exited (${code}) while busy`);
      process.exit(1);
    }
  });
  return child;
}

function ask(child: Child, msg: ChildIn): Promise<ChildOut> {
  return new Promise((resolveMsg) => {
    child.pending = resolveMsg;
    child.proc.send(msg);
  });
}

const loadavg: { start: number[]; end: number[] } = { start: os.loadavg(), end: [] };
const active: Child[] = [];
for (const spec of specs) {
  const child = start(spec);
  children.push(child);
  const ready = await ask(child, { type: "init", spec, images, warmup: WARMUP, modelsDir: values.models });
  if (ready.type !== "ready") throw new Error(`${spec.id}: unexpected ${ready.type}`);
  child.info = ready.info;
  log(`${spec.id}: ${ready.info.runtime}; loaded in ${fmt(ready.info.loadMs, 0)} ms${ready.info.notes.length ? `; ${ready.info.notes.join("; ")}` : ""}`);
  // A thread setting the runtime did not honour repeats another contender: say so, do not measure it twice.
  const twin = active.find((c) => c.spec.kind === spec.kind && c.info!.actualThreads === ready.info.actualThreads);
  if (ready.info.actualThreads !== spec.threads && twin && !values["keep-unhonoured"]) {
    log(`${spec.id}: runs ${ready.info.actualThreads} thread(s) like ${twin.spec.id}; not measured again (--keep-unhonoured to measure anyway)`);
    child.proc.send({ type: "exit" } satisfies ChildIn);
    child.proc.disconnect();
    continue;
  }
  active.push(child);
}

// ---- interleaved rounds -----------------------------------------------------------
const chunks = chunked(images.length, CHUNK);
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (let ci = 0; ci < chunks.length; ci++) {
    for (const k of rotation(active.length, round * chunks.length + ci)) {
      const child = active[k]!;
      const res = await ask(child, { type: "run", round, indices: chunks[ci]!, embeddings: round === 0 });
      if (res.type !== "result") throw new Error(`${child.spec.id}: unexpected ${res.type}`);
      child.samples.push(...res.samples);
      if (res.embeddings) Object.assign(child.embeddings, res.embeddings);
    }
  }
  log(`round ${round + 1}/${ROUNDS} done (${fmt((performance.now() - t0) / 1000, 0)} s)`);
}
for (const c of active) {
  c.proc.send({ type: "exit" } satisfies ChildIn);
  c.proc.disconnect();
}
loadavg.end = os.loadavg();

// ---- summary --------------------------------------------------------------------
const byId = new Map(active.map((c) => [c.spec.id, c.samples] as const));
const common = commonImages(byId);
const summaries = new Map(active.map((c) => [c.spec.id, summarise(c.samples, common)] as const));
const med = (id: string, stage: Stage): number | undefined => summaries.get(id)?.[stage]?.median;
const cell = (s: StageSummary | undefined, digits = 1) => (s ? fmt(s.median, digits) : "-");

const hasDenoise = [...summaries.values()].some((s) => s.denoise);
const rows: (string | number)[][] = [
  [
    "contender",
    "threads",
    "decode",
    ...(hasDenoise ? ["denoise"] : []),
    "detect",
    "landmarks",
    "align",
    "quality",
    "embed",
    "total",
    "total p10-p90",
    "cpu/img",
    "no face",
    "other refusals",
  ],
];
for (const c of active) {
  const s = summaries.get(c.spec.id)!;
  const ref = refusals(c.samples);
  const { "no-face": noFace = 0, ...other } = ref;
  rows.push([
    c.spec.id,
    c.info!.actualThreads === c.spec.threads ? String(c.spec.threads) : `${c.spec.threads} (ran ${c.info!.actualThreads})`,
    fmt(median(decodeMs), 1),
    ...(hasDenoise ? [cell(s.denoise, 2)] : []),
    cell(s.detect),
    cell(s.landmarks),
    cell(s.align, 2),
    cell(s.quality, 2),
    cell(s.embed),
    cell(s.total),
    s.total ? `${fmt(s.total.p10)}-${fmt(s.total.p90)}` : "-",
    cell(s.cpu),
    noFace,
    Object.entries(other)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "0",
  ]);
}

// Time inside ONNX Runtime per model (facegate contenders): the kernels, apart from the pipeline's JavaScript.
const modelSummaries = new Map(active.filter((c) => c.spec.kind !== "faceapi").map((c) => [c.spec.id, summariseModels(c.samples, common)] as const));
const modelIds = [...new Set([...modelSummaries.values()].flatMap((m) => Object.keys(m)))];
const outsideCpu = new Map(active.filter((c) => c.spec.kind !== "faceapi").map((c) => [c.spec.id, outsideModelsCpu(c.samples, common)] as const));
const modelRows: (string | number)[][] = [["ms per image inside ORT (median wall / cpu)", ...modelIds, "cpu outside ORT"]];
for (const [id, m] of modelSummaries) {
  modelRows.push([
    id,
    ...modelIds.map((k) => (m[k] ? `${fmt(m[k].wall)} / ${fmt(m[k].cpu)}${m[k].runsPerImage !== 1 ? ` (${m[k].runsPerImage} runs)` : ""}` : "-")),
    fmt(outsideCpu.get(id) ?? Number.NaN),
  ]);
}

interface Ratio {
  name: string;
  threads: number;
  wall: number;
  cpu: number;
  target: string;
  met: boolean;
}
const ratios: Ratio[] = [];
const has = (id: string) => summaries.has(id);
for (const t of [1, 2]) {
  const fg = `facegate-wasm-${t}t`;
  const nat = `facegate-native-${t}t`;
  // face-api at t threads, or the contender that ran what the t-thread setting actually gave.
  const fa = has(`faceapi-${t}t`) ? `faceapi-${t}t` : active.find((c) => c.spec.kind === "faceapi" && c.info!.actualThreads === 1 && t > 1)?.spec.id;
  if (fa && has(fg)) {
    const wall = ratio(med(fa, "total"), med(fg, "total"));
    // The bar: facegate at least 10x faster than face-api.js, on each CPU kind measured (docs/BENCHMARKS.md).
    ratios.push({ name: `${fa} / ${fg} total`, threads: t, wall, cpu: ratio(med(fa, "cpu"), med(fg, "cpu")), target: ">= 10x", met: wall >= 10 });
  }
  if (has(fg) && has(nat)) {
    const wall = ratio(med(fg, "total"), med(nat, "total"));
    ratios.push({ name: `${fg} / ${nat} total`, threads: t, wall, cpu: ratio(med(fg, "cpu"), med(nat, "cpu")), target: "<= 2x", met: wall <= 2 });
    for (const stage of ["detect", "landmarks", "embed"] as const) {
      ratios.push({ name: `  ${stage} stage`, threads: t, wall: ratio(med(fg, stage), med(nat, stage)), cpu: Number.NaN, target: "", met: true });
    }
    const mw = modelSummaries.get(fg);
    const mn = modelSummaries.get(nat);
    for (const id of modelIds) {
      if (mw?.[id] && mn?.[id])
        ratios.push({
          name: `  ${id} inside ORT`,
          threads: t,
          wall: ratio(mw[id].wall, mn[id].wall),
          cpu: ratio(mw[id].cpu, mn[id].cpu),
          target: "",
          met: true,
        });
    }
  }
}

// The WASM and native contenders run the same pipeline code: their embeddings must agree.
const agreement: Record<string, { images: number; minCosine: number; medianCosine: number }> = {};
const ref = active.find((c) => c.spec.id === "facegate-wasm-1t") ?? active.find((c) => c.spec.kind === "facegate-wasm");
for (const c of active) {
  if (!ref || c === ref || c.spec.kind === "faceapi") continue;
  const cos = Object.keys(ref.embeddings)
    .map(Number)
    .filter((i) => c.embeddings[i])
    .map((i) => similarity(ref.embeddings[i]!, c.embeddings[i]!));
  if (cos.length) agreement[`${c.spec.id} vs ${ref.spec.id}`] = { images: cos.length, minCosine: Math.min(...cos), medianCosine: median(cos) };
}

const cpu = cpuInfo();
console.log(`\ncpu: ${describeCpu(cpu)}`);
console.log(`bench:client — ${images.length} LFW images (${sizes.join(", ")}), seed ${SEED}, ${ROUNDS} rounds, chunks of ${CHUNK}, interleaved`);
const versions = [...new Set(active.map((c) => c.info!.pipelineVersion).filter(Boolean))];
if (versions.length) console.log(`facegate pipeline ${versions.join(", ")}`);
console.log(`per-stage median ms over the ${common.length} images every contender found a face in (x ${ROUNDS} rounds)\n`);
console.log(table(rows));
console.log("");
console.log(
  table([
    ["ratio (median total)", "wall", "cpu", "target", "met"],
    ...ratios.map((r) => [r.name, `${fmt(r.wall, 2)}x`, Number.isFinite(r.cpu) ? `${fmt(r.cpu, 2)}x` : "", r.target, r.target ? (r.met ? "yes" : "no") : ""]),
  ]),
);
console.log("");
console.log(table(modelRows));
for (const [k, v] of Object.entries(agreement)) console.log(`embeddings ${k}: min cosine ${v.minCosine.toFixed(6)} over ${v.images} images`);
for (const c of children) for (const n of c.info?.notes ?? []) console.log(`note ${c.spec.id}: ${n}`);
for (const kind of ["facegate-wasm", "facegate-native"]) {
  const one = med(`${kind}-1t`, "total");
  const two = med(`${kind}-2t`, "total");
  if (one !== undefined && two !== undefined && two > one) {
    console.log(
      `note ${kind}-2t: slower than 1 thread (${fmt(two)} vs ${fmt(one)} ms): the second core was not free (load average above), so its ratios compare runs degraded by contention`,
    );
  }
}
console.log(
  `load average ${loadavg.start.map((x) => x.toFixed(2)).join(" ")} at start, ${loadavg.end.map((x) => x.toFixed(2)).join(" ")} at end (${os.cpus().length} CPUs)`,
);

const report = {
  benchmark: "bench:client",
  date: new Date().toISOString(),
  config: { images: images.length, rounds: ROUNDS, chunk: CHUNK, seed: SEED, warmup: WARMUP, data: values.data, sizes },
  machine: {
    cpu: cpu.model,
    cpuVendor: cpu.vendor,
    cpuFlags: cpu.flags,
    cpus: os.cpus().length,
    node: process.version,
    loadavg,
    versions: Object.fromEntries(
      ["onnxruntime-web", "onnxruntime-node", "@vladmandic/face-api", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm", "jpeg-js"].map((p) => [
        p,
        packageVersion(p),
      ]),
    ),
  },
  decode: { medianMs: median(decodeMs), decoder: "jpeg-js via client/src/image/decode-node.ts" },
  commonImages: common.length,
  contenders: active.map((c) => ({
    ...c.info,
    summary: summaries.get(c.spec.id),
    models: modelSummaries.get(c.spec.id),
    cpuOutsideModels: outsideCpu.get(c.spec.id),
    summaryAllOk: summarise(c.samples),
    refusals: refusals(c.samples),
  })),
  skipped: children.filter((c) => !active.includes(c)).map((c) => ({ ...c.info, reason: "thread setting not honoured; same runtime as another contender" })),
  ratios,
  agreement,
  images: names,
  samples: Object.fromEntries(active.map((c) => [c.spec.id, c.samples])),
};
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, JSON.stringify(report, null, 1));
log(`wrote ${values.out}`);
