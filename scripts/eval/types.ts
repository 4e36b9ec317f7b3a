import type { RgbaImage } from "../../client/src/image/types.js";

export type { RgbaImage };

/** Bumped when the meaning of a number in result.json or the manifest's calibration changes. */
export const TOOL_NAME = "facegate-eval";
export const TOOL_VERSION = "1.0.0";

/** One comparison: `a` is the reference (enrolled) image, `b` the probe. */
export interface Pair {
  /** Absolute image paths. */
  a: string;
  b: string;
  /** Same identity (genuine) or not (impostor). */
  same: boolean;
  /** Where the pair came from, `file:line`, for error messages. */
  where: string;
}

/**
 * What the evaluation needs from the SDK pipeline: decoded RGBA in, an
 * embedding and per-stage timings out. `analyze` throws FaceQualityError
 * (client/src/errors.ts, with a stable `.reason`) when it refuses an image;
 * any other exception is a bug and stops the run.
 */
export interface Embedder {
  /** Manifest id of the embedding model (e.g. "fr512-v1"). */
  modelId: string;
  /**
   * Changes whenever the pipeline's output for the same bytes could change
   * (code, models, preprocessing). Part of the embedding cache key.
   */
  pipelineVersion: string;
  /** The SDK's own FacePipeline.pipelineVersion, what a client sends (the manifest's `pipelines`); the SDK pipeline only. */
  facePipelineVersion?: string;
  analyze(image: RgbaImage): Promise<{ embedding: Float32Array; timings: Record<string, number> }>;
  /** Releases model sessions, if any. */
  dispose?(): Promise<void>;
}

/** Decodes an image file's bytes (`path` is for messages and format sniffing). */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<RgbaImage>;

/** Why an image produced no embedding: a pipeline QualityReason, or "decode-error". */
export type FailureReason = string;

export type EmbedOutcome = { ok: true; embedding: Float32Array; timings: Record<string, number> } | { ok: false; reason: FailureReason; message: string };
