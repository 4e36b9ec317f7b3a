/**
 * Weight-level derivations of an ONNX model (docs/BENCHMARKS.md, "Model
 * files: denormals and compression"):
 *
 * - flushDenormals: every denormal float32 constant becomes a zero of the
 *   same sign, as a CPU's flush-to-zero mode would treat it. Intel cores take
 *   a slow microcode path on every multiply with a denormal operand; WASM
 *   cannot switch flush-to-zero on, so the weights themselves must not hold any.
 * - storeFloat16: the matrix weights (Conv, Gemm, MatMul) stored as IEEE
 *   binary16, each behind a Cast back to float32.
 * - storeInt8: the matrix weights stored as int8, symmetric, one scale per
 *   output channel, each behind Cast + Mul by its scales: the arithmetic of
 *   DequantizeLinear with a zero point of 0. DequantizeLinear itself takes
 *   per-channel scales only from opset 13 and these models are opset 9 (their
 *   Unsqueeze and Softmax change meaning at 13), so the two ops stand in.
 *
 * In both stored forms the graph still computes in float32: ONNX Runtime's
 * constant folding (graph optimisation "basic" and above) turns Cast(+Mul) of
 * an initializer into a float32 initializer when the session is created, so
 * the kernels, and their speed, are those of the float model; only the
 * file (the download) is smaller. The folded values are exactly
 * float32(half) or float32(q x scale), so what the model computes follows
 * from the file alone (effectiveWeights reproduces them).
 */
import { codec, FLOAT, FLOAT16, floatConstants, floatsOf, INT8, INT32, isDenormal, setFloats, sizeOf } from "./onnx.js";

/** int8-qdq: int8 weights and, for the 1x1 convolutions, int8 compute (activations.ts). */
export type WeightStorage = "float32" | "float16" | "int8" | "int8-qdq";

/** Flushes denormal float32 constants to signed zero, in place; returns how many. */
export function flushDenormals(model: any): number {
  let n = 0;
  for (const t of floatConstants(model)) {
    const v = floatsOf(t);
    const u = new Uint32Array(v.buffer, v.byteOffset, v.length);
    let c = 0;
    for (let i = 0; i < u.length; i++) {
      if (isDenormal(u[i]!)) {
        u[i] = u[i]! & 0x80000000;
        c++;
      }
    }
    if (c) setFloats(t, v);
    n += c;
  }
  return n;
}

/** Initializers used as the weight (input 1) of Conv, Gemm or MatMul, with the axis of their output channels. */
export function matrixWeights(model: any): { tensor: any; axis: number }[] {
  const g = model.graph;
  const inits = new Map<string, any>(g.initializer.map((t: any) => [t.name, t]));
  const out = new Map<string, { tensor: any; axis: number }>();
  for (const n of g.node) {
    if (!["Conv", "Gemm", "MatMul"].includes(n.opType)) continue;
    const t = inits.get(n.input[1]);
    if (!t || t.dataType !== FLOAT || t.dims.length < 2) continue;
    const transB = n.attribute.find((a: any) => a.name === "transB");
    // Conv: [out, in/groups, kh, kw]; Gemm: B is [N, K] with transB, else [K, N]; MatMul: [K, N].
    const axis = n.opType === "Conv" ? 0 : n.opType === "Gemm" && Number(transB?.i ?? 0) === 1 ? 0 : t.dims.length - 1;
    const seen = out.get(t.name);
    if (seen && seen.axis !== axis) throw new Error(`${t.name} is used with two output axes`);
    out.set(t.name, { tensor: t, axis });
  }
  return [...out.values()];
}

/** The smallest normal float32, 2^-126. */
const MIN_NORMAL = 2 ** -126;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> binary16 bits, rounding to nearest even (overflow to infinity, underflow to binary16 subnormals or zero). */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const castNode = (input: string, output: string) => {
  const onnx = codec();
  return onnx.NodeProto.create({
    opType: "Cast",
    name: `${output}/cast`,
    input: [input],
    output: [output],
    attribute: [onnx.AttributeProto.create({ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: FLOAT })],
  });
};

/** Stores the matrix weights as binary16 behind a Cast, in place; returns how many tensors. */
export function storeFloat16(model: any, select: (name: string) => boolean = () => true): number {
  const weights = matrixWeights(model).filter((w) => select(w.tensor.name));
  const casts: any[] = [];
  for (const { tensor: t } of weights) {
    const v = floatsOf(t);
    const h = new Uint16Array(v.length);
    for (let i = 0; i < v.length; i++) h[i] = toHalfBits(v[i]!);
    const name = t.name;
    t.name = `${name}.fp16`;
    t.dataType = FLOAT16;
    t.rawData = new Uint8Array(h.buffer);
    t.floatData = [];
    casts.push(castNode(t.name, name));
  }
  model.graph.node = [...casts, ...model.graph.node];
  return weights.length;
}

/** Stores the matrix weights as int8 with per-output-channel scales (max |w| / 127) behind Cast + Mul, in place. */
export function storeInt8(model: any, select: (name: string) => boolean = () => true): number {
  const onnx = codec();
  const weights = matrixWeights(model).filter((w) => select(w.tensor.name));
  const nodes: any[] = [];
  for (const { tensor: t, axis } of weights) {
    const v = floatsOf(t);
    const dims = t.dims.map(Number) as number[];
    const channels = dims[axis]!;
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const channelOf = (i: number) => Math.floor(i / inner) % channels;
    const max = new Float32Array(channels);
    for (let i = 0; i < v.length; i++) max[channelOf(i)] = Math.max(max[channelOf(i)]!, Math.abs(v[i]!));
    // A channel whose largest weight is under 127 x 2^-126 would need a denormal scale, and its
    // weights (at most 1.5e-36) would fold back into denormals: it is stored as zeros (codes 0,
    // scale 1), as are channels of zeros. fr_feature has 34 such channels (the flushed model's
    // largest weights there are between 1.5e-38 and 1.45e-36).
    const scale = max.map((m) => (Math.fround(m / 127) >= MIN_NORMAL ? Math.fround(m / 127) : 1));
    const q = new Int8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = channelOf(i);
      q[i] = Math.fround(max[c]! / 127) >= MIN_NORMAL ? Math.max(-127, Math.min(127, Math.round(v[i]! / scale[c]!))) : 0;
    }
    const name = t.name;
    t.name = `${name}.int8`;
    t.dataType = INT8;
    t.rawData = new Uint8Array(q.buffer);
    t.floatData = [];
    const scaleDims = dims.map((d, k) => (k === axis ? d : 1));
    model.graph.initializer.push(onnx.TensorProto.create({ name: `${name}.scale`, dataType: FLOAT, dims: scaleDims, rawData: new Uint8Array(scale.buffer) }));
    nodes.push(castNode(t.name, `${name}.codes`));
    nodes.push(onnx.NodeProto.create({ opType: "Mul", name: `${name}/scale`, input: [`${name}.codes`, `${name}.scale`], output: [name] }));
  }
  model.graph.node = [...nodes, ...model.graph.node];
  return weights.length;
}

/**
 * The float32 values a stored weight turns into when ORT folds its Cast(+Mul),
 * by the weight's original name, plus every float32 constant as it is: what
 * the model computes with.
 */
export function effectiveWeights(model: any): Map<string, Float32Array> {
  const g = model.graph;
  const inits = new Map<string, any>(g.initializer.map((t: any) => [t.name, t]));
  const out = new Map<string, Float32Array>();
  for (const t of floatConstants(model)) out.set(t.name, floatsOf(t));
  for (const n of g.node) {
    if (n.opType !== "Cast") continue;
    const t = inits.get(n.input[0]);
    if (t?.dataType === FLOAT16) {
      const h = new Uint16Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
      out.set(n.output[0], Float32Array.from(h, halfToFloat));
    } else if (t?.dataType === INT8) {
      const mul = g.node.find((m: any) => m.opType === "Mul" && m.input[0] === n.output[0]);
      const s = mul && inits.get(mul.input[1]);
      if (!s) throw new Error(`${t.name}: int8 weight without its scale`);
      const q = new Int8Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
      const scale = floatsOf(s);
      const dims = t.dims.map(Number) as number[];
      const axis = (s.dims as unknown[]).findIndex((d) => Number(d) !== 1);
      const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
      const w = new Float32Array(q.length);
      for (let i = 0; i < q.length; i++) w[i] = Math.fround(q[i]! * scale[axis < 0 ? 0 : Math.floor(i / inner) % dims[axis]!]!);
      out.set(mul.output[0], w);
    }
  }
  // int8-qdq: weights and biases behind a per-channel DequantizeLinear (activations.ts).
  for (const n of g.node) {
    if (n.opType !== "DequantizeLinear") continue;
    const t = inits.get(n.input[0]);
    if (t?.dataType !== INT8 && t?.dataType !== INT32) continue;
    const raw = t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength);
    const q = t.dataType === INT8 ? new Int8Array(raw) : new Int32Array(raw);
    const scale = floatsOf(inits.get(n.input[1]));
    const inner = q.length / scale.length;
    out.set(
      n.output[0],
      Float32Array.from(q, (v, i) => Math.fround(v * scale[Math.floor(i / inner)]!)),
    );
  }
  return out;
}

/** How the matrix weights of a model file are stored. */
export function weightStorage(model: any): WeightStorage {
  const types = new Set(model.graph.initializer.filter((t: any) => sizeOf(t) > 1).map((t: any) => t.dataType));
  if (model.graph.node.some((n: any) => n.opType === "QuantizeLinear")) return "int8-qdq";
  if (types.has(INT8)) return "int8";
  if (types.has(FLOAT16)) return "float16";
  return "float32";
}
