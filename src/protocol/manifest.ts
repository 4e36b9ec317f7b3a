import * as z from "zod/mini";
import { PIPELINE_VERSION_PATTERN } from "./ids.js";
import { MAX_EMBEDDING_DIM } from "./limits.js";

/**
 * models/manifest.json: what each model is, where it came from, how to feed
 * it, and (for embedding models) the calibrated decision thresholds. The
 * client reads it to load and check models; the server reads the embedding
 * entries for dimension and threshold. Fields the code relies on are typed
 * here; provenance and calibration notes are kept loose on purpose.
 *
 * Written with zod/mini: the client bundles this schema, and the classic zod
 * API would add ~450 KB to the browser bundle.
 */
const int = () => z.number().check(z.int());

/** A dimension is a size, or the name of a symbolic one (the model takes any size there). */
const TensorSpec = z.looseObject({ name: z.string(), shape: z.array(z.union([int(), z.string()])), type: z.string() });

const ThresholdPoint = z.looseObject({
  /** Target false match rate this threshold was calibrated for. */
  fmr: z.number().check(z.positive(), z.lte(1)),
  /** Cosine similarity at or above which two embeddings match. */
  threshold: z.number().check(z.gte(-1), z.lte(1)),
});

export const ModelEntry = z.looseObject({
  role: z.enum(["detector", "landmarks", "embedding", "liveness"]),
  file: z.string(),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  bytes: int().check(z.positive()),
  licence: z.string(),
  source: z.looseObject({ package: z.string(), version: z.string(), path: z.string() }),
  inputs: z.array(TensorSpec),
  outputs: z.array(TensorSpec),
  preprocessing: z.looseObject({}),
  ort: z.optional(z.looseObject({ graphOptimizationLevel: z.enum(["disabled", "basic", "extended", "all"]) })),
  embedding: z.optional(
    z.looseObject({
      dim: int().check(z.gte(1), z.lte(MAX_EMBEDDING_DIM)),
      metric: z.literal("cosine"),
      /** The operating threshold the server applies. */
      threshold: z.number().check(z.gte(-1), z.lte(1)),
      operatingFmr: z.number().check(z.positive(), z.lte(1)),
      thresholds: z.array(ThresholdPoint),
      /**
       * The stricter point a template added to an enrolled subject must reach
       * against the subject's anchor: an FMR listed in `thresholds`.
       */
      templateFmr: z.optional(z.number().check(z.positive(), z.lte(1))),
      /** Replay refusal: a probe at or above `limit` to stored data is a copy (evidence beside it). */
      replay: z.optional(z.looseObject({ limit: z.number().check(z.gt(0), z.lte(1)) })),
      /**
       * The pipeline versions (the SDK's FacePipeline.pipelineVersion: code version, the models'
       * sha256 and the configuration) whose embeddings these thresholds were calibrated on. A tenant
       * whose policy says `pipelines: "calibrated"` accepts only these.
       */
      pipelines: z.optional(z.array(z.string().check(z.regex(PIPELINE_VERSION_PATTERN))).check(z.maxLength(16))),
      calibration: z.looseObject({}),
    }),
  ),
});

export const ModelManifest = z.looseObject({
  schemaVersion: z.literal(1),
  models: z.record(z.string(), ModelEntry),
});

export type ModelEntryT = z.infer<typeof ModelEntry>;
export type ModelManifestT = z.infer<typeof ModelManifest>;

export interface EmbeddingModelInfo {
  id: string;
  dim: number;
  /** Verify: a probe matches when its similarity to the anchor is at least this. */
  threshold: number;
  operatingFmr: number;
  /** A template added to an enrolled subject must reach this against the anchor. */
  templateThreshold: number;
  /** A probe at least this similar to stored data is a replay. */
  replayLimit: number;
  /** The pipeline versions the calibration holds for (empty: none recorded). */
  pipelines: readonly string[];
}

/**
 * The embedding models a manifest declares, as the server needs them. A
 * model without its decision policy (a `templateFmr` that names a calibrated
 * threshold, and a measured `replay` limit: a freshly calibrated model before
 * `npm run eval:replay`) is not listed: the server refuses it as unknown
 * rather than guess.
 */
export function embeddingModels(manifest: ModelManifestT): EmbeddingModelInfo[] {
  return Object.entries(manifest.models).flatMap(([id, m]) => {
    const e = m.role === "embedding" ? m.embedding : undefined;
    const strict = e?.thresholds.find((t) => t.fmr === e.templateFmr);
    if (!e || !strict || !e.replay) return [];
    return [
      {
        id,
        dim: e.dim,
        threshold: e.threshold,
        operatingFmr: e.operatingFmr,
        templateThreshold: Math.max(strict.threshold, e.threshold),
        replayLimit: e.replay.limit,
        pipelines: e.pipelines ?? [],
      },
    ];
  });
}
