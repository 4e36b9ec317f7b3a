import { directoryModelSource, readManifest } from "../../runtime/model-dir-node.js";
import { nodePlatform } from "../../runtime/ort-node.js";
import { FacePipeline, type FacePipelineOptions, type ToolingOptions } from "../face-pipeline.js";
import { sha256Hex } from "../../runtime/sha256.js";

export interface NodePipelineOptions extends Partial<Omit<FacePipelineOptions, "manifest" | "source" | "sha256">> {
  /** Directory holding manifest.json and the .onnx files (the repository's `models/`). */
  modelsDir: string;
  /** WASM threads (default 1). */
  threads?: number;
}

/**
 * Load the pipeline in Node from a local models directory, on onnxruntime-web's WASM backend.
 * `tools`: evaluation and comparison tools only (FacePipeline.load).
 */
export async function loadNodePipeline(opts: NodePipelineOptions, tools?: ToolingOptions): Promise<FacePipeline> {
  const { modelsDir, threads, ...rest } = opts;
  return FacePipeline.load(
    {
      platform: rest.platform ?? nodePlatform(threads === undefined ? {} : { threads }),
      manifest: await readManifest(modelsDir),
      sha256: sha256Hex,
      source: directoryModelSource(modelsDir),
      ...rest,
    },
    tools,
  );
}
