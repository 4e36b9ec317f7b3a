/** Exports shared by the browser (index.ts) and Node (node.ts) entries. */
export type { EmbedResult, FaceCheck, FaceClient, FaceClientOptions, RuntimeInfo } from "./client.js";
export { FacegateApi } from "./api/facegate-api.js";
export { ApiError, FaceQualityError, FacegateError, LivenessError, ModelLoadError, NetworkError, PresentationAttackError } from "./errors.js";
export type { RgbaImage } from "./image/types.js";
export type {
  DetectedFace,
  FaceAnalysis,
  LoadProgress,
  PadDecision,
  PadMode,
  PadResult,
  Provider,
  QualityReason,
  QualityReport,
  StageTimings,
} from "./pipeline/types.js";
export type { ProviderPreference } from "./runtime/ort.js";
export { PROBLEMS, type ProblemCode } from "../../src/protocol/problems.js";
