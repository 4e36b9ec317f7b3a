/**
 * Exports shared by every entry (index.ts for browsers, node.ts, core.ts for
 * other runtimes): the public surface, nothing internal, and nothing that
 * needs WebCrypto or a DOM (web-exports.ts adds FacegateApi).
 */
export type {
  BurstOptions,
  CaptureOptions,
  EmbedResult,
  FaceCheck,
  RuntimeInfo,
  VerifyOptions,
} from "./client.js";
export { FacegateApiClient, type FacegateApiClientOptions } from "./api/api-client.js";
export type { EnvelopeHpke } from "../../src/protocol/hpke/types.js";
export type { TokenSource } from "./api/http.js";
export type {
  Challenge,
  ConsentRecord,
  EnrollResult,
  EnvelopeKeyInfo,
  Health,
  LivenessAction,
  LivenessLevel,
  SubjectRecord,
  TemplateInfo,
  TemplateList,
  VerifyResult,
} from "./api/types.js";
export {
  ApiError,
  FaceQualityError,
  FacegateError,
  LivenessError,
  ModelLoadError,
  NetworkError,
  PasskeyError,
  PresentationAttackError,
  type ModelLoadErrorCode,
} from "./errors.js";
export type { PasskeyCeremonies, PasskeyResponseJSON } from "./passkey/ceremonies.js";
export { guidanceFor, type Guidance, type GuidanceCode } from "./guidance.js";
export type { RgbaImage } from "./image/types.js";
export type {
  Box,
  CheckTimings,
  DetectedFace,
  FaceAnalysis,
  FaceCheckAnalysis,
  FivePoints,
  LoadProgress,
  PadDecision,
  PadMode,
  PadResult,
  Point,
  Provider,
  QualityReason,
  QualityReport,
  StageTimings,
} from "./pipeline/types.js";
export type { ProviderPreference } from "./runtime/ort.js";
export { PROBLEMS, type ProblemCode, type ProblemDetails } from "../../src/protocol/problems.js";
