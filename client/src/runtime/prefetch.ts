import type { ProviderPreference } from "./ort.js";

/**
 * Starts fetching ONNX Runtime's JavaScript for WASM (and, when `wasmPaths`
 * is set, the compressed runtime's loader) together with the pipeline's
 * chunk. Each of these is otherwise found only once the chunk before it has
 * downloaded and run: four hops in a row, about 200 ms of a warm load here
 * (docs/BENCHMARKS.md, "First login"). The pipeline's own `import()` of the
 * same modules then finds them loaded. Under `auto` on a machine that ends up
 * on WebGPU this fetches ORT's WASM JavaScript (25 kB) for nothing.
 */
export function prefetchWasmRuntime(preference: ProviderPreference, wasmPaths: string | undefined): void {
  if (preference === "webgpu") return;
  import("onnxruntime-web/wasm").catch(() => undefined); // a failure surfaces from the real import
  if (wasmPaths) import("./compressed-runtime.js").catch(() => undefined);
}
