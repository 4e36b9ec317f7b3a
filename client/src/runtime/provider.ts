import type { ProviderChoice, ProviderPreference } from "./ort.js";

/**
 * The part of WebGPU the provider choice looks at. Typed here because the
 * TypeScript DOM library does not declare `navigator.gpu` yet.
 */
export interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { readonly architecture?: string; readonly vendor?: string; readonly description?: string };
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: "low-power" | "high-performance" }): Promise<GpuAdapterLike | null>;
}

/**
 * A software WebGPU adapter (Chromium's SwiftShader without a GPU) is
 * correct but was measured 15-40x slower than WASM (docs/MODELS.md), so
 * `auto` treats it as no adapter at all.
 */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  if (adapter.isFallbackAdapter === true) return true;
  const arch = adapter.info?.architecture?.toLowerCase() ?? "";
  const description = adapter.info?.description?.toLowerCase() ?? "";
  return arch === "swiftshader" || description.includes("swiftshader");
}

/**
 * Pick the execution provider. `wasm` is always honoured; `webgpu` is
 * honoured whenever an adapter exists (software or not: the caller insists,
 * e.g. a correctness test); `auto` takes WebGPU only on a hardware adapter.
 */
export async function chooseProvider(gpu: GpuLike | undefined, preference: ProviderPreference): Promise<ProviderChoice> {
  if (preference === "wasm") return { provider: "wasm", reason: "requested" };
  if (!gpu) {
    if (preference === "webgpu") throw new Error("WebGPU was requested but this runtime has no navigator.gpu");
    return { provider: "wasm", reason: "no WebGPU in this runtime" };
  }
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    adapter = null;
  }
  if (!adapter) {
    if (preference === "webgpu") throw new Error("WebGPU was requested but no adapter is available");
    return { provider: "wasm", reason: "no WebGPU adapter" };
  }
  const software = isSoftwareAdapter(adapter);
  if (preference === "webgpu") {
    return { provider: "webgpu", reason: software ? "requested (software adapter)" : "requested" };
  }
  if (software) {
    return { provider: "wasm", reason: `software WebGPU adapter (${adapter.info?.architecture ?? "fallback"}) is slower than WASM` };
  }
  return { provider: "webgpu", reason: `hardware adapter ${adapter.info?.vendor ?? ""} ${adapter.info?.architecture ?? ""}`.trim() };
}
