import type { Ort } from "./ort.js";

/**
 * ONNX Runtime Web fetches and compiles its .wasm (3.7 MB brotli, 14 MB
 * compiled) only when the first session is created, which the pipeline can do
 * only once its models have arrived: download, then runtime, in series.
 * Creating a throwaway session on a one-node model as soon as ORT is
 * configured starts the runtime's streaming compile (instantiateStreaming)
 * while the models download; the real sessions then find it initialised
 * (ORT shares one initialisation per backend).
 */
export function warmUpRuntime(ort: Ort): Promise<void> {
  return ort.InferenceSession.create(identityModel(), { executionProviders: ["wasm"] })
    .then((s) => s.release())
    .catch(() => undefined); // a failure here will surface, with its reason, from the real session
}

/** A valid ONNX model of one Identity node (float32[1] -> float32[1]), protobuf-encoded by hand (68 bytes). */
export function identityModel(): Uint8Array {
  const utf8 = new TextEncoder();
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return out;
  };
  const field = (no: number, body: number[] | Uint8Array): number[] => [(no << 3) | 2, ...varint(body.length), ...body];
  const int = (no: number, v: number): number[] => [no << 3, ...varint(v)];
  const str = (no: number, s: string) => field(no, utf8.encode(s));
  // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape { dim { dim_value: 1 } } } } }
  const value = (name: string) => [...str(1, name), ...field(2, field(1, [...int(1, 1), ...field(2, field(1, int(1, 1)))]))];
  const node = [...str(1, "x"), ...str(2, "y"), ...str(4, "Identity")];
  const graph = [...field(1, node), ...str(2, "warmup"), ...field(11, value("x")), ...field(12, value("y"))];
  // ModelProto { ir_version: 7, graph, opset_import { version: 13 } }
  return new Uint8Array([...int(1, 7), ...field(7, graph), ...field(8, int(2, 13))]);
}
