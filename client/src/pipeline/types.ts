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

/** Execution provider that actually ran the models. */
export type Provider = "webgpu" | "wasm";

/** Why the pipeline refused an image. Stable strings: UIs and tests switch on them. */
export type QualityReason =
  | "no-face"
  | "multiple-faces"
  | "face-too-small"
  | "too-blurry"
  | "too-dark"
  | "too-bright"
  | "pose-too-far"
  | "low-liveness";

export interface QualityReport {
  /** Overall quality in [0, 1], used to weight frames in temporal fusion. */
  score: number;
  /** Inter-ocular distance in source pixels. */
  interOcularPx: number;
  /** Variance-of-Laplacian sharpness on the aligned crop. */
  sharpness: number;
  /** Mean luminance of the aligned crop, 0-255. */
  brightness: number;
  /** Estimated yaw/roll/pitch proxies in degrees (from the landmarks). */
  pose: { yaw: number; pitch: number; roll: number };
}

export interface LivenessReport {
  /** Advisory only; see docs/SECURITY.md. Softmax of the model's three classes. */
  probabilities: [number, number, number];
  /** Probability of the class the manifest documents as "live". */
  live: number;
}

/** Per-stage wall time in milliseconds. */
export interface StageTimings {
  detect: number;
  landmarks: number;
  align: number;
  quality: number;
  liveness?: number;
  embed: number;
  total: number;
}

export interface FaceAnalysis {
  /** L2-normalised embedding (length = the embedding model's `dim`). */
  embedding: Float32Array;
  modelId: string;
  face: DetectedFace;
  landmarks: FivePoints;
  /** Other faces the detector found (smaller than the chosen one). */
  otherFaces: DetectedFace[];
  quality: QualityReport;
  liveness: LivenessReport | null;
  provider: Provider;
  timings: StageTimings;
}

export interface AnalyzeOptions {
  /** Run the liveness model (advisory). Default: false. */
  liveness?: boolean;
  /** Refuse when liveness is below this probability. Default: no gate. */
  minLiveness?: number;
}

/** Loading progress for all models together. */
export interface LoadProgress {
  loaded: number;
  total: number;
  /** The model currently loading (manifest id). */
  model: string;
}

export type { RgbaImage };
