import { z } from "zod";

/**
 * The conformance format (docs/MOBILE.md, "Conformance"): what an
 * implementation of the face pipeline prints for one image, and the vectors
 * file (models/conformance/vectors.json) that holds the reference's
 * documents with the tolerances a port is judged by. Plain JSON of numbers,
 * strings and booleans, field names as the SDK's types have them
 * (client/src/pipeline/types.ts), so a Swift `Codable` or Kotlin
 * `@Serializable` mirror is mechanical.
 */

import { FORMAT, THUMBNAIL_SIDE } from "./format-constants.js";

export { FORMAT, THUMBNAIL_SIDE };

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "lower-case hex sha256");
const point = z.strictObject({ x: finite, y: finite });
const rgb = z.tuple([finite, finite, finite]);

export const QUALITY_REASONS = ["no-face", "multiple-faces", "face-too-small", "face-cut-off", "too-blurry", "too-dark", "too-bright", "pose-too-far"] as const;

export const ResultSchema = z.strictObject({
  format: z.literal(FORMAT),
  /** Only in a results file (run.ts --results): the vector's `image`, to pair lines with vectors. */
  image: z.optional(z.string()),
  /** The RGBA pixels the pipeline ran on (after decoding, EXIF orientation, alpha over white, the 2048 px cap). */
  decoded: z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive(), rgbaSha256: hex64 }),
  /** Whether the impulse-noise filter and the median filter for noisy images changed the image (client/src/image/). */
  restoration: z.strictObject({ impulse: z.boolean(), median: z.boolean() }),
  /** The detection pass that decided (coarse 160x120 or full 320x240) and its faces, largest box first. */
  detection: z.strictObject({
    pass: z.enum(["coarse", "full"]),
    faces: z.array(z.strictObject({ box: z.strictObject({ x: finite, y: finite, width: finite, height: finite }), score: finite })),
  }),
  /** Index in detection.faces of the chosen subject; null when none was chosen (no face, or ambiguous). */
  subject: z.nullable(z.number().int().nonnegative()),
  /** The five alignment points in source pixels (continuous coordinates: pixel i spans [i, i+1)). */
  points: z.optional(z.tuple([point, point, point, point, point])),
  /** The 112x112 aligned crop (RGB, before any sharpening), summarised: never the pixels. */
  aligned: z.optional(
    z.strictObject({
      rgbSha256: hex64,
      mean: rgb,
      std: rgb,
      /** THUMBNAIL_SIDE² block means, row-major, each [r, g, b]. */
      thumbnail: z.array(rgb).length(THUMBNAIL_SIDE * THUMBNAIL_SIDE),
    }),
  ),
  quality: z.optional(
    z.strictObject({
      score: finite,
      interOcularPx: finite,
      sharpness: finite,
      brightness: finite,
      pose: z.strictObject({ yaw: finite, pitch: finite, roll: finite }),
      outside: finite,
    }),
  ),
  /** The L2-normalised embedding; `sharpened`: the crop was unsharp-masked first (soft crops only). */
  embedding: z.optional(z.strictObject({ sharpened: z.boolean(), values: z.array(finite).min(1) })),
  /** Why the pipeline refused the image, or null when it produced an embedding. */
  refusal: z.nullable(z.strictObject({ reason: z.enum(QUALITY_REASONS) })),
});
export type ConformanceResult = z.infer<typeof ResultSchema>;

/** An implementation that could not process an image at all (not a refusal: a decoding or runtime error). */
export const ErrorResultSchema = z.strictObject({ format: z.literal(FORMAT), image: z.optional(z.string()), error: z.string() });
export type ErrorResult = z.infer<typeof ErrorResultSchema>;

/** The per-stage tolerances, in the vectors file so a port reads them from the same place as the numbers. */
export const TolerancesSchema = z.strictObject({
  why: z.string(),
  boxPx: finite,
  score: finite,
  pointPx: finite,
  alignedMean: finite,
  alignedStd: finite,
  thumbnail: finite,
  interOcularPx: finite,
  sharpnessRelative: finite,
  brightness: finite,
  poseDeg: finite,
  outside: finite,
  qualityScore: finite,
  embeddingCosine: finite,
  /** The largest differences between the SDK and a second runtime on these photos, measured when the vectors were written. */
  measured: z.strictObject({ against: z.string(), largest: z.record(z.string(), finite) }),
});
export type Tolerances = z.infer<typeof TolerancesSchema>;

export const VectorsSchema = z.strictObject({
  format: z.literal(FORMAT),
  about: z.string(),
  generated: z.strictObject({
    command: z.string(),
    date: z.string(),
    pipelineSourceVersion: z.string(),
    facePipelineVersion: z.string(),
    runtime: z.string(),
    decoder: z.string(),
    models: z.record(z.string(), z.strictObject({ file: z.string(), sha256: hex64 })),
  }),
  data: z.string(),
  selection: z.string(),
  rounding: z.string(),
  tolerances: TolerancesSchema,
  photos: z.array(
    z.strictObject({
      image: z.string(),
      /** sha256 of the file's bytes: the photo on disk is the one the vector was made from. */
      fileSha256: hex64,
      why: z.string(),
      expected: ResultSchema,
    }),
  ),
});
export type Vectors = z.infer<typeof VectorsSchema>;
