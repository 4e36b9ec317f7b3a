import type { Provider } from "../pipeline/types.js";

/**
 * What the pipeline needs of an ONNX Runtime namespace: sessions from model
 * bytes, float32 tensors in, named tensors out. It is injected by a small
 * platform entry (ort-node.ts, ort-browser.ts, @facegate/react-native's
 * ort-react-native.ts) instead of being imported in the pipeline, because the
 * module differs by platform: Node resolves `onnxruntime-web` to its WASM
 * build for Node, browsers need `onnxruntime-web/webgpu` for WebGPU, React
 * Native has `onnxruntime-react-native`. All of them (and onnxruntime-node,
 * used only by comparison tools) expose onnxruntime-common's API, of which
 * this is the part we call; it is written out here so that the
 * platform-neutral core (`@facegate/client/core`) names no ORT package.
 */
export interface Ort {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: SessionOptions): Promise<InferenceSession>;
  };
  readonly Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => Tensor;
}

export interface SessionOptions {
  executionProviders?: readonly string[];
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  intraOpNumThreads?: number;
}

export interface Tensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

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
