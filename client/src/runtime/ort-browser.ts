import * as ort from "onnxruntime-web/webgpu";
import type { OrtPlatform, ProviderPreference } from "./ort.js";
import { chooseProvider, type GpuLike } from "./provider.js";

/**
 * Browser platform entry, on the `onnxruntime-web/webgpu` build: with it all
 * nodes of the face models run on the WebGPU EP, while the default JSEP build
 * left 33 PRelu nodes on the CPU (TOOLCHAIN.md).
 */
export interface BrowserPlatformOptions {
  /**
   * Where ORT's `.wasm`/`.mjs` files are served (same origin; a directory URL
   * ending in `/`). Default: resolved by the bundler next to the ORT module.
   */
  wasmPaths?: string;
  /**
   * WASM threads. Default: up to 4 when the page is cross-origin isolated
   * (COOP/COEP), 1 otherwise: without isolation there is no
   * SharedArrayBuffer and ORT would silently run one thread anyway.
   */
  threads?: number;
}

// ORT reads env.wasm once, when the first session initialises the backend:
// the first call's options win for the page's lifetime.
let configured = false;

export function browserPlatform(opts: BrowserPlatformOptions = {}): OrtPlatform {
  const isolated = typeof crossOriginIsolated !== "undefined" && crossOriginIsolated;
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1;
  const threads = isolated ? Math.max(1, Math.min(opts.threads ?? 4, cores)) : 1;
  if (!configured) {
    ort.env.wasm.numThreads = threads;
    if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
    ort.env.logLevel = "error";
    configured = true;
  }
  return {
    name: "browser",
    ort,
    threads,
    selectProvider(preference: ProviderPreference) {
      const gpu = typeof navigator !== "undefined" ? (navigator as Navigator & { gpu?: GpuLike }).gpu : undefined;
      return chooseProvider(gpu, preference);
    },
  };
}
