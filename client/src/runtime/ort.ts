import type * as OrtWeb from "onnxruntime-web";
import type { Provider } from "../pipeline/types.js";

/**
 * The ONNX Runtime namespace the SDK runs on. It is injected by a small
 * platform entry (ort-node.ts, ort-browser.ts) instead of being imported in
 * the pipeline, because the module differs by platform: Node resolves
 * `onnxruntime-web` to its WASM build for Node, browsers need
 * `onnxruntime-web/webgpu` for WebGPU. Both expose this same API, and so does
 * onnxruntime-node (used only by comparison tools, never by the SDK).
 */
export type Ort = typeof OrtWeb;
export type InferenceSession = OrtWeb.InferenceSession;
export type Tensor = OrtWeb.Tensor;

/** What the caller asks for: `auto` picks the best provider that really helps. */
export type ProviderPreference = "auto" | Provider;

export interface ProviderChoice {
  provider: Provider;
  /** Why this provider, for logs and bug reports ("no WebGPU adapter", "software adapter: swiftshader"...). */
  reason: string;
}

/** A platform entry: the ORT namespace plus how to pick an execution provider there. */
export interface OrtPlatform {
  readonly name: string;
  readonly ort: Ort;
  /** Number of WASM threads the platform configured (1 unless cross-origin isolated). */
  readonly threads: number;
  selectProvider(preference: ProviderPreference): Promise<ProviderChoice>;
}
