/**
 * The ONNX protobuf codec (onnxruntime-web's, from its legacy backend:
 * lib/onnxjs/ort-schema/protobuf/onnx.js, see derive-detector.ts) and the
 * few tensor helpers the model derivations share. Dev-time only.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The parts of the generated protobuf classes the scripts use (the codec has no types). */
export interface OnnxCodec {
  ModelProto: { decode(b: Uint8Array): any; encode(m: any): { finish(): Uint8Array }; create(o: object): any };
  TensorProto: { create(o: object): any; DataType: Record<string, number> };
  NodeProto: { create(o: object): any };
  AttributeProto: { create(o: object): any; AttributeType: Record<string, number> };
  TensorShapeProto: { Dimension: { create(o: object): any } };
  OperatorSetIdProto: { create(o: object): any };
}

let cached: OnnxCodec | null = null;

export function codec(): OnnxCodec {
  // Not in the package's exports map: load the file by its path.
  if (!cached) {
    const require = createRequire(import.meta.url);
    const path = fileURLToPath(new URL("../../node_modules/onnxruntime-web/lib/onnxjs/ort-schema/protobuf/onnx.js", import.meta.url));
    cached = require(path).onnx as OnnxCodec;
  }
  return cached;
}

export const FLOAT = 1;
export const INT8 = 3;
export const INT32 = 6;
export const FLOAT16 = 10;

/** A float32 tensor's values (a copy), from raw_data or float_data. */
export function floatsOf(t: any): Float32Array {
  if (t.dataType !== FLOAT) throw new Error(`${t.name}: not float32 (data type ${t.dataType})`);
  if (t.rawData?.length) {
    const b: Uint8Array = t.rawData;
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return Float32Array.from(t.floatData as number[]);
}

/** Store float32 values in a tensor as raw_data (how the package's models store them). */
export function setFloats(t: any, values: Float32Array): void {
  t.rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  t.floatData = [];
}

/** Every float32 constant of a graph: its initializers and the tensors of its Constant nodes. */
export function floatConstants(model: any): any[] {
  const g = model.graph;
  const out = g.initializer.filter((t: any) => t.dataType === FLOAT);
  for (const n of g.node) {
    if (n.opType !== "Constant") continue;
    for (const a of n.attribute) if (a.t && a.t.dataType === FLOAT) out.push(a.t);
  }
  return out;
}

/** IEEE 754 binary32 subnormal: exponent bits 0, mantissa not 0 (either sign). */
export function isDenormal(bits: number): boolean {
  return (bits & 0x7f800000) === 0 && (bits & 0x007fffff) !== 0;
}

export function countDenormals(values: Float32Array): number {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let n = 0;
  for (let i = 0; i < u.length; i++) if (isDenormal(u[i]!)) n++;
  return n;
}

export interface DenormalCount {
  denormals: number;
  floats: number;
  tensors: number;
}

/** Denormal float32 values among a model's constants. */
export function modelDenormals(bytes: Uint8Array): DenormalCount {
  const model = codec().ModelProto.decode(bytes);
  let denormals = 0;
  let floats = 0;
  let tensors = 0;
  for (const t of floatConstants(model)) {
    const v = floatsOf(t);
    const d = countDenormals(v);
    floats += v.length;
    denormals += d;
    if (d) tensors++;
  }
  return { denormals, floats, tensors };
}

export const sizeOf = (t: any): number => (t.dims as unknown[]).reduce<number>((a, d) => a * Number(d), 1);
