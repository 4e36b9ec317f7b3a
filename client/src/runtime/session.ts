import type { ModelEntryT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";
import type { Provider } from "../pipeline/types.js";
import type { InferenceSession, Ort, Tensor } from "./ort.js";

/**
 * For comparison tools only (benchmarks against onnxruntime-node's native
 * CPU provider): execution providers and threads passed straight to ORT.
 */
export interface ToolingOverrides {
  executionProviders?: string[];
  intraOpNumThreads?: number;
}

/**
 * One ONNX model, loaded once, on the provider that actually ran it.
 * Input and output names come from the manifest and are checked against the
 * model when the session is created, so a wrong file fails at load time.
 */
export class ModelSession {
  private constructor(
    readonly id: string,
    readonly entry: ModelEntryT,
    readonly ort: Ort,
    readonly session: InferenceSession,
    readonly provider: Provider,
  ) {}

  static async create(ort: Ort, id: string, entry: ModelEntryT, bytes: Uint8Array, provider: Provider, tooling: ToolingOverrides = {}): Promise<ModelSession> {
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        // One provider, never a fallback list: then the provider that ran is the one we asked for.
        executionProviders: tooling.executionProviders ?? [provider],
        graphOptimizationLevel: entry.ort?.graphOptimizationLevel ?? "all",
        ...(tooling.intraOpNumThreads ? { intraOpNumThreads: tooling.intraOpNumThreads } : {}),
      });
    } catch (e) {
      // ORT loads its WebAssembly on the first session: a failure there is the runtime's, not the model's
      // (a bundler that rewrote ORT's .wasm URL gives "expected magic word 00 61 73 6d", README "Bundlers").
      const message = (e as Error).message ?? String(e);
      const runtime = /magic word|\.wasm|WebAssembly|backend|initiali[sz]/i.test(message);
      throw new ModelLoadError(id, `could not create a ${provider} session for "${id}": ${message}`, {
        cause: e,
        code: runtime ? "runtime-unavailable" : "session-failed",
      });
    }
    const want = { inputs: entry.inputs.map((t) => t.name), outputs: entry.outputs.map((t) => t.name) };
    const missing = [...want.inputs.filter((n) => !session.inputNames.includes(n)), ...want.outputs.filter((n) => !session.outputNames.includes(n))];
    if (missing.length) {
      await session.release().catch(() => undefined);
      throw new ModelLoadError(id, `model "${id}" lacks the manifest's tensors: ${missing.join(", ")}`);
    }
    return new ModelSession(id, entry, ort, session, provider);
  }

  /** Wrap a float32 buffer (reused across calls by the caller) as this model's first input. */
  tensor(data: Float32Array, dims: readonly number[]): Tensor {
    return new this.ort.Tensor("float32", data, dims);
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return this.session.run(feeds);
  }

  /** Float data of a named output, copied out of ORT's buffers when needed. */
  static floats(out: Record<string, Tensor>, name: string): Float32Array {
    const t = out[name];
    if (t?.type !== "float32") throw new Error(`output "${name}" missing or not float32`);
    return t.data as Float32Array;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
