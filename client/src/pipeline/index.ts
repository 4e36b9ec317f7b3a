/**
 * The on-device face pipeline, platform-neutral. Platform entries are
 * imported explicitly, never from here: `./load-node.js` (Node: models from a
 * directory, onnxruntime-web WASM) and `./load-browser.js` (browsers:
 * fetched and cached models, WebGPU or WASM).
 */
export { FacePipeline, PIPELINE_CODE_VERSION, type FacePipelineOptions } from "./face-pipeline.js";
export { cosine, l2normalise } from "./embed.js";
export { fuseEmbeddings, consistentFrames, type WeightedEmbedding } from "./fusion.js";
export { DEFAULT_QUALITY_POLICY, type QualityPolicy } from "./quality.js";
export { DEFAULT_SUBJECT_POLICY, chooseSubject, type SubjectPolicy } from "./subject.js";
export type * from "./types.js";
