import { fetchManifest } from "../runtime/manifest.js";
import { fetchModelSource } from "../runtime/model-source.js";
import { browserPlatform, type BrowserPlatformOptions } from "../runtime/ort-browser.js";
import { FacePipeline, type FacePipelineOptions } from "./face-pipeline.js";

export interface BrowserPipelineOptions extends Partial<Omit<FacePipelineOptions, "manifest" | "source" | "platform">>, BrowserPlatformOptions {
  /** URL of the deployed `models/` folder (manifest.json and the .onnx files). */
  modelsBaseUrl: string | URL;
  /** Keep models in the Cache API (default true). */
  cache?: boolean;
}

/** Load the pipeline in a browser: models fetched (and cached) from `modelsBaseUrl`, WebGPU or WASM. */
export async function loadBrowserPipeline(opts: BrowserPipelineOptions): Promise<FacePipeline> {
  const { modelsBaseUrl, cache, wasmPaths, threads, ...rest } = opts;
  const platform = await browserPlatform(rest.provider ?? "auto", {
    ...(wasmPaths ? { wasmPaths } : {}),
    ...(threads ? { threads } : {}),
  });
  return FacePipeline.load({
    platform,
    manifest: await fetchManifest(modelsBaseUrl),
    source: fetchModelSource(modelsBaseUrl, { cache: cache ?? true }),
    ...rest,
  });
}
