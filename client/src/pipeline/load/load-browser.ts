import { ModelLoadError } from "../../errors.js";
import { fetchManifest } from "../../runtime/manifest.js";
import { fetchModelSource, MODEL_CACHE_NAME } from "../../runtime/model-source.js";
import { browserPlatform, type BrowserPlatformOptions } from "../../runtime/ort-browser.js";
import type { OrtPlatform } from "../../runtime/ort.js";
import { FacePipeline, type FacePipelineOptions } from "../face-pipeline.js";
import { sha256Hex } from "../../runtime/sha256.js";

export interface BrowserPipelineOptions extends Partial<Omit<FacePipelineOptions, "manifest" | "source" | "platform" | "sha256">>, BrowserPlatformOptions {
  /** URL of the deployed models folder (manifest.json and the .onnx files). */
  modelsBaseUrl: string | URL;
  /** The sha256 prefix the manifest must have (the content-hashed default path, runtime/models-id.ts). */
  manifestSha256Prefix?: string;
  /** Keep models in Cache Storage (default true). */
  cache?: boolean;
}

/** Load the pipeline in a browser: models fetched (and cached) from `modelsBaseUrl`, WebGPU or WASM. */
export async function loadBrowserPipeline(opts: BrowserPipelineOptions): Promise<FacePipeline> {
  const { modelsBaseUrl, manifestSha256Prefix, cache, wasmPaths, threads, ...rest } = opts;
  const useCache = cache ?? true;
  // The manifest is fetched while ORT's module loads (one round trip less before the models start).
  const manifest = fetchManifest(modelsBaseUrl, {
    ...(manifestSha256Prefix ? { sha256Prefix: manifestSha256Prefix } : {}),
    cacheName: useCache ? MODEL_CACHE_NAME : null,
  });
  manifest.catch(() => undefined); // awaited below, after the runtime's own failure if any
  let platform: OrtPlatform;
  try {
    platform = await browserPlatform(rest.provider ?? "auto", {
      ...(wasmPaths ? { wasmPaths } : {}),
      ...(threads ? { threads } : {}),
    });
  } catch (e) {
    const webgpu = rest.provider === "webgpu";
    throw new ModelLoadError("runtime", `ONNX Runtime could not load${webgpu ? " for WebGPU" : ""}: ${(e as Error).message}`, {
      cause: e,
      code: webgpu ? "webgpu-unavailable" : "runtime-unavailable",
    });
  }
  return FacePipeline.load({
    platform,
    manifest: await manifest,
    sha256: sha256Hex,
    source: fetchModelSource(modelsBaseUrl, { cache: useCache }),
    ...rest,
  });
}
