/**
 * Runs the pipeline over the distinct images a set of pairs needs: each file
 * is read and decoded once, whatever variants (clean, perturbed) it needs,
 * and each (bytes, model, pipeline version, variant) is computed once ever
 * thanks to the cache.
 */
import { access, readFile } from "node:fs/promises";
import { type EmbeddingCache, sha256Hex } from "./cache.js";
import { loadPipeline, qualityReason, type Pipeline } from "./embedder.js";
import { perturb, type PerturbationName } from "../robustness/perturb.js";
import { seedFrom } from "../data/prng.js";
import { Progress } from "./progress.js";
import type { EmbedOutcome, Pair } from "../types.js";

/** "none" is the image as stored. */
export type Variant = "none" | PerturbationName;

export type ImageOutcomes = Map<string, Map<Variant, EmbedOutcome>>;

/** Which variants of which files a set of pairs needs: references clean, probes in each of `probe`. */
export function imagesNeeded(pairs: readonly Pair[], probe: Variant | readonly Variant[] = "none"): Map<string, Set<Variant>> {
  const probes = typeof probe === "string" ? [probe] : probe;
  const need = new Map<string, Set<Variant>>();
  const add = (p: string, v: Variant) => {
    let s = need.get(p);
    if (!s) need.set(p, (s = new Set()));
    s.add(v);
  };
  for (const p of pairs) {
    add(p.a, "none");
    for (const v of probes) add(p.b, v);
  }
  return need;
}

/** Fails fast, listing a few, when pair files name images that are not there (a wrong --images). */
export async function checkImagesExist(paths: Iterable<string>): Promise<void> {
  const missing: string[] = [];
  let total = 0;
  for (const p of paths) {
    total++;
    try {
      await access(p);
    } catch {
      missing.push(p);
    }
  }
  if (missing.length) {
    throw new Error(`${missing.length} of ${total} images not found, e.g.\n  ${missing.slice(0, 5).join("\n  ")}\n(check --images)`);
  }
}

export interface EmbedStats {
  images: number;
  computed: number;
  cached: number;
}

export async function embedImages(
  need: Map<string, Set<Variant>>,
  deps: { pipeline: Pipeline; cache: EmbeddingCache; label?: string; quiet?: boolean },
): Promise<{ outcomes: ImageOutcomes; stats: EmbedStats }> {
  const { embedder, decode } = deps.pipeline;
  // The decoder is part of what produced an embedding, so it is part of the key.
  const version = `${embedder.pipelineVersion}|${deps.pipeline.decoder}`;
  const paths = [...need.keys()].sort();
  const progress = new Progress(deps.label ?? "images", paths.length, deps.quiet ? null : process.stderr);
  const outcomes: ImageOutcomes = new Map();
  const stats: EmbedStats = { images: paths.length, computed: 0, cached: 0 };
  for (const file of paths) {
    const bytes = new Uint8Array(await readFile(file));
    const sha = sha256Hex(bytes);
    const mine = new Map<Variant, EmbedOutcome>();
    outcomes.set(file, mine);
    const todo: Variant[] = [];
    for (const v of need.get(file)!) {
      const key = { fileSha256: sha, modelId: embedder.modelId, pipelineVersion: version, perturbation: v };
      const hit = await deps.cache.get(key);
      if (hit) mine.set(v, hit);
      else todo.push(v);
    }
    if (todo.length === 0) {
      stats.cached++;
      progress.tick(true);
      continue;
    }
    stats.computed++;
    const t0 = performance.now();
    let image;
    try {
      image = await decode(bytes, file);
    } catch (e) {
      // Not cached: a decoder fix should take effect without clearing the cache.
      for (const v of todo) mine.set(v, { ok: false, reason: "decode-error", message: (e as Error).message });
      progress.tick();
      continue;
    }
    const decodeMs = performance.now() - t0;
    for (const v of todo) {
      const t1 = performance.now();
      const input = v === "none" ? image : perturb(v, image, seedFrom(sha, v));
      const perturbMs = performance.now() - t1;
      let outcome: EmbedOutcome;
      try {
        const r = await embedder.analyze(input);
        for (const x of r.embedding) if (!Number.isFinite(x)) throw new Error("embedding has a non-finite value");
        const timings: Record<string, number> = { ...r.timings, decode: decodeMs };
        if (v !== "none") timings["perturb"] = perturbMs;
        outcome = { ok: true, embedding: Float32Array.from(r.embedding), timings };
      } catch (e) {
        const reason = qualityReason(e);
        if (reason === null) throw new Error(`pipeline failed on ${file} (${v}): ${(e as Error).message}`, { cause: e });
        outcome = { ok: false, reason, message: (e as Error).message };
      }
      mine.set(v, outcome);
      await deps.cache.put({ fileSha256: sha, modelId: embedder.modelId, pipelineVersion: version, perturbation: v }, outcome);
    }
    progress.tick();
  }
  progress.finish();
  return { outcomes, stats };
}

/** What produced a run's embeddings, for its report. */
export interface PipelineInfo {
  modelId: string;
  pipelineVersion: string;
  /** The SDK's FacePipeline.pipelineVersion, when the run used the SDK pipeline. */
  facePipelineVersion?: string;
  decoder: string;
  source: string;
}

/**
 * The first half of every run: the pipeline (the SDK's, or --embedder's)
 * over the images, checked against the model the thresholds belong to, and
 * released before anything is scored.
 */
export async function embedAll(
  need: Map<string, Set<Variant>>,
  o: { manifestPath: string; embedderModule?: string; cache: EmbeddingCache; label?: string; expectModelId?: string; announce?: (p: PipelineInfo) => string },
): Promise<{ outcomes: ImageOutcomes; stats: EmbedStats; pipeline: PipelineInfo }> {
  await checkImagesExist(need.keys());
  const pipeline = await loadPipeline({ embedderModule: o.embedderModule, manifestPath: o.manifestPath });
  try {
    const info: PipelineInfo = {
      modelId: pipeline.embedder.modelId,
      pipelineVersion: pipeline.embedder.pipelineVersion,
      ...(pipeline.embedder.facePipelineVersion ? { facePipelineVersion: pipeline.embedder.facePipelineVersion } : {}),
      decoder: pipeline.decoder,
      source: pipeline.source,
    };
    if (o.expectModelId !== undefined && info.modelId !== o.expectModelId) {
      throw new Error(`the pipeline embeds with '${info.modelId}' but the thresholds are for '${o.expectModelId}' (use --model)`);
    }
    if (o.announce) process.stderr.write(`${o.announce(info)}\n`);
    const { outcomes, stats } = await embedImages(need, { pipeline, cache: o.cache, label: o.label });
    return { outcomes, stats, pipeline: info };
  } finally {
    await pipeline.embedder.dispose?.();
  }
}
