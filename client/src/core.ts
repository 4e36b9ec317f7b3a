/**
 * `@facegate/client/core`: the SDK without a platform, for runtimes that are
 * neither a browser nor Node (React Native: @facegate/react-native). The same
 * pipeline, typed API and errors as the other entries; the caller supplies
 * what differs (ClientPlatform: ONNX Runtime, model bytes, sources, HPKE).
 * Nothing reachable from here touches the DOM, WebAssembly, WebCrypto or
 * onnxruntime-web (packages/react-native/test/dist.test.ts greps for them).
 */
export * from "./shared-exports.js";
export {
  createFaceClientWith,
  type ClientPlatform,
  type FaceClient,
  type FaceClientOptions,
} from "./client.js";
export { FacePipeline, PIPELINE_CODE_VERSION, type FacePipelineOptions } from "./pipeline/face-pipeline.js";
export { DEFAULT_BURST, type Frame } from "./pipeline/types.js";
export type { InferenceSession, Ort, OrtPlatform, ProviderChoice, SessionOptions, Tensor } from "./runtime/ort.js";
export type { ModelSource } from "./runtime/model-source.js";
export type { Sha256Hex } from "./runtime/load-models.js";
export { parseManifest } from "./runtime/parse-manifest.js";
export type { ModelEntryT, ModelManifestT } from "../../src/protocol/manifest.js";
export type { RandomBytes } from "../../src/protocol/hpke/types.js";
export { MODELS_ID } from "./runtime/models-id.js";
