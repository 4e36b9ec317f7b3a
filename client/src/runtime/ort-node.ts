import * as ort from "onnxruntime-web";
import type { OrtPlatform, ProviderChoice, ProviderPreference } from "./ort.js";

/**
 * Node platform entry. `onnxruntime-web` resolves to its WASM build for Node
 * here (package exports, `node` condition), so Node runs the same WASM kernels
 * as a browser without WebGPU: browser WASM and Node onnxruntime-web gave
 * the same embeddings (docs/MODELS.md; test/browser/sdk-parity.test.ts), which is why the Node tests stand
 * for the browser's WASM path.
 */
export interface NodePlatformOptions {
  /**
   * WASM threads. Default 1: two threads were not faster than one for these
   * small models on a shared 2-core machine (docs/MODELS.md, docs/BENCHMARKS.md).
   */
  threads?: number;
}

let configured: number | null = null;

export function nodePlatform(opts: NodePlatformOptions = {}): OrtPlatform {
  const threads = opts.threads ?? 1;
  // ORT reads env.wasm once, when the first session initialises the backend.
  if (configured === null) {
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = "error";
    configured = threads;
  } else if (configured !== threads) {
    throw new Error(`ORT WASM was already initialised with ${configured} thread(s); it cannot change in-process`);
  }
  return {
    name: "node",
    ort,
    threads,
    async selectProvider(preference: ProviderPreference): Promise<ProviderChoice> {
      if (preference === "webgpu") throw new Error("WebGPU is not available in Node; use 'wasm' or 'auto'");
      return { provider: "wasm", reason: preference === "wasm" ? "requested" : "Node runs the WASM backend" };
    },
  };
}
