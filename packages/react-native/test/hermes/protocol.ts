/**
 * What Node hands the Hermes program and what it prints back (one JSON line).
 * Float arrays travel as base64 of little-endian float32.
 */
export interface RecordedTensor {
  dims: number[];
  /** base64 float32 */
  data: string;
}

/** One model's runs during the Node pipeline's analyses, in call order. */
export interface RecordedModel {
  /** Byte length of the .onnx file (sessions are replayed in the order they were created; the length is checked). */
  bytes: number;
  inputNames: string[];
  outputNames: string[];
  calls: { inputs: Record<string, RecordedTensor>; outputs: Record<string, RecordedTensor> }[];
}

export interface HermesInput {
  manifest: unknown;
  /** model file name -> base64 bytes, as the app bundle would hold them */
  files: Record<string, string>;
  recording: RecordedModel[];
  images: { width: number; height: number /** base64 RGBA */; data: string }[];
  /** Images to embed (indices), whose embeddings are returned. */
  embed: number[];
  /** Then, in order, enrollments and verifications of these images through the client. */
  actions: { purpose: "enroll" | "verify"; image: number }[];
  /** What the stubbed network answers each POST /v1/challenges with, in order (a real worker's, or one with Node's envelope key). */
  challenges: unknown[];
  subjectId: string;
  /** base64 bytes from Node's CSPRNG: crypto.getRandomValues hands them out. */
  random: string;
}

/** One image for the conformance program (conformance-entry.ts): it prints the conformance document. */
export interface ConformanceInput {
  manifest: unknown;
  files: Record<string, string>;
  recording: RecordedModel[];
  image: { width: number; height: number; data: string };
}

export interface HermesOutput {
  /** base64 float32, one per `embed` entry */
  embeddings: string[];
  /** The largest |input - recorded input| of each model's runs: the JS preprocessing in Hermes against Node's. */
  inputDiff: { bytes: number; runs: number; recorded: number; maxAbsDiff: number }[];
  /** The requests the client sent (an enrollment's or verification's body carries the sealed envelope). */
  requests: { method: string; path: string; body: unknown }[];
  provider: string;
  /** What the program had to give this Hermes (polyfills.ts). */
  polyfilled: string[];
  error?: string;
  /** The thrown error's `name` and `code` (ModelLoadError, model-integrity...). */
  errorName?: string;
  errorCode?: string;
}
