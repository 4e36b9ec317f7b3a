/**
 * Where the evaluation meets the face pipeline. The default is the SDK
 * pipeline itself (the same code the browser runs); `--embedder <module>`
 * loads another implementation of the same contract (a module exporting
 * `createEmbedder`, and optionally `decodeImage`).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createHash } from "node:crypto";
import { decodeImageBytes } from "../data/decode.js";
import type { Embedder, ImageDecoder } from "../types.js";

export interface Pipeline {
  embedder: Embedder;
  decode: ImageDecoder;
  /** Which decoder runs, for the report. */
  decoder: string;
  /** Which pipeline runs, for the report. */
  source: string;
}

/** What a module passed with --embedder must export. */
export interface EmbedderModule {
  createEmbedder(opts: { manifestPath: string }): Promise<Embedder>;
  decodeImage?: ImageDecoder;
}

export async function loadPipeline(opts: { embedderModule?: string; manifestPath: string }): Promise<Pipeline> {
  if (!opts.embedderModule) return sdkPipeline(opts.manifestPath);
  const file = path.resolve(opts.embedderModule);
  const mod = (await import(pathToFileURL(file).href)) as Partial<EmbedderModule>;
  if (typeof mod.createEmbedder !== "function") throw new Error(`${file} does not export createEmbedder()`);
  const embedder = await mod.createEmbedder({ manifestPath: opts.manifestPath });
  for (const k of ["modelId", "pipelineVersion"] as const) {
    if (typeof embedder[k] !== "string" || embedder[k] === "") throw new Error(`${file}: createEmbedder() returned no ${k}`);
  }
  const sdk = mod.decodeImage ? null : await sdkDecoder();
  return {
    embedder,
    decode: mod.decodeImage ?? sdk!.decode,
    decoder: mod.decodeImage ? `${path.relative(process.cwd(), file)} decodeImage` : sdk!.name,
    source: path.relative(process.cwd(), file),
  };
}

/**
 * The SDK's Node decoder (EXIF orientation, size cap), loaded lazily; the
 * local jpeg-js/pngjs decoder only if the SDK module cannot be loaded.
 */
export async function sdkDecoder(): Promise<{ decode: ImageDecoder; name: string }> {
  try {
    const mod = await import("../../../client/src/image/decode-node.js");
    return { decode: async (bytes) => mod.decodeImage(bytes), name: "client/src/image/decode-node.ts (SDK)" };
  } catch (e) {
    process.stderr.write(`warning: SDK decoder unavailable (${(e as Error).message}); using scripts/eval/data/decode.ts\n`);
    return { decode: decodeImageBytes, name: "scripts/eval/data/decode.ts (jpeg-js, pngjs)" };
  }
}

/**
 * The SDK pipeline on Node, exactly as the SDK's Node entry loads it
 * (client/src/node.ts -> loadNodePipeline): onnxruntime-web WASM, 1 thread,
 * quality gates and subject policy as shipped (no overrides), PAD off
 * (the SDK's default; it never changes the embedding). Models and their
 * preprocessing come from the manifest's directory (`<dir>/manifest.json`).
 *
 * Cache key (`Embedder.pipelineVersion`): `pipelineSourceVersion()`, the
 * sha256 over every source file under PIPELINE_SOURCES plus the manifest's
 * model entries (calibration excluded), joined with the onnxruntime-web
 * version. Chosen over `FacePipeline.pipelineVersion` because that one only
 * changes when someone remembers to bump PIPELINE_CODE_VERSION, whereas any
 * edit to the pipeline's code (or its preprocessing, quality or subject
 * defaults) changes the source hash. FacePipeline.pipelineVersion is still
 * recorded in `source`, so a report names both.
 */
export async function sdkPipeline(manifestPath: string): Promise<Pipeline> {
  const modelsDir = path.dirname(path.resolve(manifestPath));
  if (path.basename(manifestPath) !== "manifest.json") {
    throw new Error(`the SDK pipeline reads <models dir>/manifest.json; got --manifest ${manifestPath}`);
  }
  const { loadNodePipeline } = await import("../../../client/src/pipeline/load/load-node.js");
  const version = `${await pipelineSourceVersion(manifestPath)}+ort-web@${await ortWebVersion()}`;
  const pipe = await loadNodePipeline({ modelsDir, threads: 1, provider: "wasm" });
  const embedder: Embedder = {
    modelId: pipe.modelId,
    pipelineVersion: version,
    facePipelineVersion: pipe.pipelineVersion,
    analyze: async (image) => {
      const a = await pipe.analyze(image, { pad: "off" });
      return { embedding: a.embedding, timings: { ...a.timings } };
    },
    dispose: () => pipe.dispose(),
  };
  const { decode, name } = await sdkDecoder();
  return {
    embedder,
    decode,
    decoder: name,
    source: `client/src/pipeline (FacePipeline ${pipe.pipelineVersion}, ${pipe.provider}, ${pipe.threads} thread)`,
  };
}

async function ortWebVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, "node_modules/onnxruntime-web/package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The repository root (source roots are resolved against it, not the working directory). */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Pipeline source directories whose code decides an embedding (relative to the repository root). */
export const PIPELINE_SOURCES = ["client/src/pipeline", "client/src/image", "client/src/runtime"];

/**
 * Browser-only modules (ort-browser.ts, load-browser.ts, image/dom.ts): Node
 * never imports them (the Node entry is load-node.ts -> ort-node.ts), so
 * editing them cannot change an embedding computed here.
 */
const BROWSER_ONLY = /(^|-)browser\.ts$|^dom\.ts$/;

/**
 * models-id.ts names the manifest's content (the URL path models are served
 * under): it changes with every threshold written, and what it says cannot
 * change an embedding, which the manifest's model entries already cover.
 */
const NOT_PIPELINE = /^models-id\.ts$/;

/**
 * A version string for the embedding cache: sha256 over the pipeline's
 * source files (tests and browser-only modules excluded) and the
 * manifest's model entries without their calibration and decision policy (so writing thresholds or the
 * replay limit does not invalidate embeddings).
 */
export async function pipelineSourceVersion(manifestPath: string, roots: readonly string[] = PIPELINE_SOURCES): Promise<string> {
  const h = createHash("sha256");
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(ts|js|mjs|json)$/.test(e.name) && !/\.test\.ts$/.test(e.name) && !BROWSER_ONLY.test(e.name) && !NOT_PIPELINE.test(e.name)) files.push(p);
    }
  }
  for (const r of roots) await walk(path.resolve(REPO_ROOT, r));
  if (files.length === 0) throw new Error(`no pipeline sources under ${roots.join(", ")}`);
  files.sort();
  for (const f of files) {
    h.update(`${path.relative(REPO_ROOT, f).split(path.sep).join("/")}\0`);
    h.update(await readFile(f));
    h.update("\0");
  }
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { models?: Record<string, { embedding?: Record<string, unknown> }> };
  for (const m of Object.values(manifest.models ?? {})) {
    if (!m.embedding) continue;
    // Decision policy, not computation: thresholds, the stricter point for added templates, the replay limit,
    // the pipeline versions the calibration holds for.
    const { threshold: _t, operatingFmr: _o, thresholds: _ts, calibration: _c, templateFmr: _f, replay: _r, pipelines: _p, ...rest } = m.embedding;
    m.embedding = rest;
  }
  h.update(JSON.stringify(manifest.models ?? {}));
  return h.digest("hex").slice(0, 16);
}

/** A refusal by the pipeline (FaceQualityError, matched by shape so any copy of the class counts). */
export function qualityReason(err: unknown): string | null {
  if (err instanceof Error && err.name === "FaceQualityError") {
    const reason = (err as Error & { reason?: unknown }).reason;
    if (typeof reason === "string") return reason;
  }
  return null;
}
