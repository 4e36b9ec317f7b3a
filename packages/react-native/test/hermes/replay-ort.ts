/**
 * Stands in for onnxruntime-react-native in the Hermes bundle (esbuild alias):
 * each model's runs are answered, in order, with the outputs the real model
 * gave in Node on the same photos (recorded by hermes.ts). The feeds the
 * pipeline builds in Hermes are compared with the feeds Node built, so the
 * JavaScript pre- and post-processing are what is under test; the native ORT
 * binding is not (it needs a device).
 */
import { base64 } from "@scure/base";
import type { RecordedModel, RecordedTensor } from "./protocol.js";

const floats = (t: RecordedTensor): Float32Array => {
  const b = base64.decode(t.data);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const input = (globalThis as unknown as { __FACEGATE_INPUT: { recording: RecordedModel[] } }).__FACEGATE_INPUT;
let created = 0;
const state = input.recording.map((m) => ({ model: m, next: 0, maxAbsDiff: 0 }));

/** Per model: runs replayed and the largest input difference seen. */
export function replayReport() {
  return state.map((s) => ({ bytes: s.model.bytes, runs: s.next, recorded: s.model.calls.length, maxAbsDiff: s.maxAbsDiff }));
}

interface ReplayTensor {
  type: string;
  data: Float32Array;
  dims: readonly number[];
}

export class Tensor implements ReplayTensor {
  readonly type: string;
  readonly data: Float32Array;
  readonly dims: readonly number[];
  constructor(type: "float32", data: Float32Array, dims: readonly number[]) {
    this.type = type;
    this.data = data;
    this.dims = dims;
  }
}

class ReplaySession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #s: (typeof state)[number];
  constructor(s: (typeof state)[number]) {
    this.#s = s;
    this.inputNames = s.model.inputNames;
    this.outputNames = s.model.outputNames;
  }
  async run(feeds: Record<string, ReplayTensor>): Promise<Record<string, ReplayTensor>> {
    const s = this.#s;
    const call = s.model.calls[s.next];
    if (!call) throw new Error(`model of ${s.model.bytes} bytes ran more often than in Node (${s.model.calls.length} runs recorded)`);
    s.next++;
    for (const [name, recorded] of Object.entries(call.inputs)) {
      const fed = feeds[name];
      const want = floats(recorded);
      if (!fed || fed.data.length !== want.length || fed.dims.join("x") !== recorded.dims.join("x")) {
        throw new Error(`input ${name} of run ${s.next} differs in shape from Node's (${fed?.dims.join("x")} vs ${recorded.dims.join("x")})`);
      }
      for (let i = 0; i < want.length; i++) s.maxAbsDiff = Math.max(s.maxAbsDiff, Math.abs(fed.data[i]! - want[i]!));
    }
    const out: Record<string, ReplayTensor> = {};
    for (const [name, t] of Object.entries(call.outputs)) out[name] = new Tensor("float32", floats(t), t.dims);
    return out;
  }
  async release(): Promise<void> {}
}

export const InferenceSession = {
  async create(model: Uint8Array): Promise<ReplaySession> {
    // Sessions open in the same order in Node and here (the same code); the size says it is the same file.
    const s = state[created++];
    if (!s || s.model.bytes !== model.length)
      throw new Error(`session ${created} is a model of ${model.length} bytes; Node's was ${s?.model.bytes ?? "never opened"}`);
    return new ReplaySession(s);
  },
};
