/**
 * Where the evaluation meets the face pipeline. The default is the SDK
 * pipeline itself (the same code the browser runs); `--embedder <module>`
 * loads another implementation of the same contract (a module exporting
 * `createEmbedder`, and optionally `decodeImage`).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createHash } from "node:crypto";
import { decodeImageBytes } from "./decode.js";
import type { Embedder, ImageDecoder } from "./types.js";

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

export class PipelineNotWiredError extends Error {
  override name = "PipelineNotWiredError";
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
    const mod = await import("../../client/src/image/decode-node.js");
    return { decode: async (bytes) => mod.decodeImage(bytes), name: "client/src/image/decode-node.ts (SDK)" };
  } catch (e) {
    process.stderr.write(`warning: SDK decoder unavailable (${(e as Error).message}); using scripts/eval/decode.ts\n`);
    return { decode: decodeImageBytes, name: "scripts/eval/decode.ts (jpeg-js, pngjs)" };
  }
}

/**
 * SEAM (issue 4): the SDK pipeline on Node. Until client/src/pipeline
 * exports its Node entry this refuses to run rather than measure something
 * else. To wire it, replace the throw with, in substance:
 *
 *   const sdk = await import("../../client/src/pipeline/<node entry>.js");
 *   const analyzer = await sdk.<create>({ manifest: manifestPath, ... });
 *   const embedder: Embedder = {
 *     modelId: <the embedding model's manifest id>,
 *     pipelineVersion: await pipelineSourceVersion(manifestPath),
 *     analyze: async (image) => {
 *       const a = await analyzer.analyze(image);           // FaceAnalysis; throws FaceQualityError
 *       return { embedding: a.embedding, timings: { ...a.timings } };
 *     },
 *     dispose: () => analyzer.dispose(),
 *   };
 *   const { decode, name } = await sdkDecoder();
 *   return { embedder, decode, decoder: name, source: "client/src/pipeline" };
 */
export async function sdkPipeline(manifestPath: string): Promise<Pipeline> {
  void manifestPath;
  throw new PipelineNotWiredError(
    "the SDK pipeline is not wired into the evaluation yet (scripts/eval/embedder.ts, sdkPipeline); " +
      "meanwhile pass --embedder <module exporting createEmbedder()>",
  );
}

/** Pipeline source directories whose code decides an embedding. */
export const PIPELINE_SOURCES = ["client/src/pipeline", "client/src/image", "client/src/runtime"];

/**
 * A version string for the embedding cache: sha256 over the pipeline's
 * source files (tests excluded) and the manifest's model entries without
 * their calibration (so writing thresholds does not invalidate embeddings).
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
      else if (/\.(ts|js|mjs|json)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) files.push(p);
    }
  }
  for (const r of roots) await walk(r);
  files.sort();
  for (const f of files) {
    h.update(f.split(path.sep).join("/") + "\0");
    h.update(await readFile(f));
    h.update("\0");
  }
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { models?: Record<string, { embedding?: Record<string, unknown> }> };
  for (const m of Object.values(manifest.models ?? {})) {
    if (!m.embedding) continue;
    const { threshold: _t, operatingFmr: _o, thresholds: _ts, calibration: _c, ...rest } = m.embedding;
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
