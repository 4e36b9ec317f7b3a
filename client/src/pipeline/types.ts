import type { RgbaImage } from "../image/types.js";

/** A point in source-image pixel coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in source-image pixel coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: Box;
  /** Detector confidence in [0, 1]. */
  score: number;
}

/** Eye centres (subject's right eye first, i.e. image-left), nose tip, mouth corners. */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** Execution provider that actually ran the models (`cpu`: onnxruntime-react-native's native CPU provider). */
export type Provider = "webgpu" | "wasm" | "cpu";

/** Why the pipeline refused an image. Stable strings: UIs and tests switch on them. */
export type QualityReason =
  | "no-face"
  | "multiple-faces"
  | "face-too-small"
  | "face-cut-off"
  | "too-blurry"
  | "too-dark"
  | "too-bright"
  | "pose-too-far"
  | "presentation-attack";

export interface QualityReport {
  /** Overall quality in [0, 1], used to weight frames in temporal fusion. */
  score: number;
  /** Inter-ocular distance in source pixels (between the eye centres). */
  interOcularPx: number;
  /**
   * Variance-of-Laplacian sharpness of the aligned crop's inner face,
   * rescaled to a mean luma of 128 (so exposure does not read as blur).
   */
  sharpness: number;
  /** Mean luma (BT.601) of the aligned crop's inner face, 0-255. */
  brightness: number;
  /** Yaw/pitch/roll proxies in degrees from the five landmarks (roll measured, yaw/pitch estimated). */
  pose: { yaw: number; pitch: number; roll: number };
  /** Fraction of the aligned face crop that lies outside the picture (0 = fully inside). */
  outside: number;
}

/** What passive presentation-attack detection decided (docs/PAD.md). */
export type PadDecision = "bona_fide" | "attack";

export interface PadResult {
  /** `bona_fide` iff `score >= threshold`, the manifest's operating point (models/manifest.json, `pad`). */
  decision: PadDecision;
  /** Fused bona fide score in [0, 1] (higher: more likely a real face in front of the camera). */
  score: number;
  threshold: number;
  /** Frames the decision is over (1 for a still image; for a burst, see PadPolicy). */
  frames: number;
  /** Each PAD model's bona fide probability (mean over the frames), by manifest id. */
  models: Record<string, number>;
}

/** Per-stage wall time in milliseconds (decoding is not included). */
export interface StageTimings {
  /** Impulse-noise check (and filter, when the image needs it). */
  denoise?: number;
  detect: number;
  landmarks: number;
  align: number;
  quality: number;
  /** Presentation-attack detection (all its models), when requested. */
  pad?: number;
  embed: number;
  total: number;
}

/** Stage timings of FacePipeline.check() (FaceClient.inspect()): it stops before PAD and the embedding. */
export type CheckTimings = Omit<StageTimings, "pad" | "embed">;

/** What FacePipeline.check() finds: the face and its quality, without an embedding. */
export type FaceCheckAnalysis = Pick<FaceAnalysis, "face" | "landmarks" | "points68" | "otherFaces" | "detectionPass" | "quality" | "provider"> & {
  timings: CheckTimings;
};

export interface FaceAnalysis {
  /** L2-normalised embedding (length = the embedding model's `dim`). */
  embedding: Float32Array;
  modelId: string;
  face: DetectedFace;
  landmarks: FivePoints;
  /**
   * The 68 points the five are derived from (iBUG order, source-image
   * coordinates, x0 y0 x1 y1 ...): the eyes' contours give the eye openness
   * an active liveness challenge measures (pipeline/active/).
   */
  points68: Float32Array;
  /**
   * Other faces the detector found, less prominent than the chosen one
   * (prominence = box area weighted by closeness to the image centre; see
   * pipeline/detect/subject.ts). When the coarse pass decided, faces too small to
   * change the choice may be missing (pipeline/detect/coarse-to-fine.ts).
   */
  otherFaces: DetectedFace[];
  /** Which detection pass decided: the coarse, low-resolution one or the full-resolution one. */
  detectionPass: "coarse" | "full";
  quality: QualityReport;
  /** Presentation-attack detection of this frame, when requested (AnalyzeOptions.pad); else null. */
  pad: PadResult | null;
  provider: Provider;
  timings: StageTimings;
}

/**
 * Passive presentation-attack detection (the PAD models must have been
 * loaded: FacePipelineOptions.pad). `report`: run it and report the
 * decision; `refuse`: also throw PresentationAttackError when the decision
 * is `attack`. Default: off.
 */
export type PadMode = "off" | "report" | "refuse";

export interface AnalyzeOptions {
  pad?: PadMode;
  /**
   * Apply the quality gates (default true). With false the pipeline still
   * refuses when there is no face, the subject is ambiguous or the
   * landmarks are unusable, but returns an embedding for poor-quality faces
   * with their QualityReport (for tools and research, never for enrolment).
   */
  enforceQuality?: boolean;
}

/** One frame of a burst; `timestamp` in ms (performance.now() or video time). */
export interface Frame {
  image: RgbaImage;
  timestamp?: number;
}

/**
 * A live capture's burst, by default: 5 good frames fused, at least 3 that agree, within one
 * second (long enough to skip a blink or a blurred frame, short enough to feel instant).
 */
export const DEFAULT_BURST = { maxFrames: 5, minFrames: 3, windowMs: 1000 } as const;

export interface BurstOptions extends AnalyzeOptions {
  /** Good frames to fuse. Default 5. */
  maxFrames?: number;
  /** Fewest good, mutually consistent frames for a result. Default 3. */
  minFrames?: number;
  /** The good frames must fall within this many ms. Default 1000. */
  windowMs?: number;
}

export interface BurstAnalysis {
  /** Quality-weighted fusion of the kept frames' embeddings, L2-normalised. */
  embedding: Float32Array;
  modelId: string;
  /** The frames that were fused, in capture order. */
  frames: FaceAnalysis[];
  /** Frames refused, by reason (including frames dropped as inconsistent). */
  rejected: Partial<Record<QualityReason | "inconsistent", number>>;
  /** Mean quality score of the fused frames. */
  quality: number;
  /**
   * The burst's PAD decision over its best frames (each of those frames
   * carries its own `pad` in `frames`), when requested; else null.
   */
  pad: PadResult | null;
  provider: Provider;
  /** Sum over every analysed frame, per stage. */
  timings: StageTimings;
}

/** Loading progress for all models together. */
export interface LoadProgress {
  loaded: number;
  total: number;
  /** The model currently loading (manifest id). */
  model: string;
}

export type { RgbaImage };
