/**
 * Static int8 quantisation of a model's activations (docs/BENCHMARKS.md, "Model
 * files: int8 compute"): the `int8-qdq` storage of derive-weights.ts.
 *
 * The weight-only int8 storage (weights.ts) makes the file smaller but not the
 * model faster: ONNX Runtime folds Cast + Mul back into float32 weights and runs
 * float kernels. Here the 1x1 convolutions (two thirds of the embedding model's
 * WASM time, all SGEMM) get a QuantizeLinear/DequantizeLinear pair on their
 * input and their output, and their weights and bias go behind
 * DequantizeLinear, the layout ("QDQ") that ONNX Runtime's graph optimiser
 * fuses into QLinearConv, which runs on MLAS's 8-bit GEMM. On WASM SIMD128 an
 * 8-bit multiply-add does twice the work per instruction of a float one.
 *
 * What is not quantised, and why:
 * - depthwise and 3x3/7x7 convolutions: MLAS's quantised depthwise kernel has no
 *   WASM SIMD path; measured, quantising them made the model 1.6x slower;
 * - PRelu and Add: no quantised kernel, they stay float between a DQ and a Q;
 * - any 1x1 convolution whose quantisation alone moves the embedding by more
 *   than SENSITIVE_LIMIT (mean cosine distance to the float output on the
 *   calibration crops): in fr_feature, one layer (the 128 -> 512 expansion
 *   before the global depthwise) carries more than half of the whole error.
 *
 * Activation ranges are quantiles of each tensor's values over the calibration
 * inputs (a deterministic strided sample), not their extremes: a few outliers
 * otherwise stretch the scale and waste the 256 levels.
 */
import type { RecordedInput } from "./check.js";
import { codec, FLOAT, floatsOf, INT8, INT32 } from "./onnx.js";
import { nodePlatform } from "../../client/src/runtime/ort-node.js";
import { similarity } from "../../src/protocol/similarity.js";

const UINT8 = 2;

/** Each range's outer quantile: values beyond it saturate. */
export const RANGE_QUANTILE = 1e-5;
/** A 1x1 convolution whose quantisation alone costs more mean cosine distance than this stays float. */
export const SENSITIVE_LIMIT = 1e-3;
const MIN_NORMAL = 2 ** -126;
const INT32_MAX = 2 ** 31 - 1;
/** Values per tensor kept for its quantiles. */
const SAMPLE = 400_000;

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

const attr = (n: any, name: string) => n.attribute.find((a: any) => a.name === name);

/** The Conv nodes that are 1x1 and not grouped (the SGEMM ones). */
export function pointwiseConvs(model: any): any[] {
  return model.graph.node.filter(
    (n: any) => n.opType === "Conv" && Number(attr(n, "group")?.i ?? 1) === 1 && attr(n, "kernel_shape")?.ints.every((k: unknown) => Number(k) === 1),
  );
}

/** uint8 asymmetric parameters for a range (widened to hold 0, as ONNX requires). */
export function paramsOf([lo0, hi0]: [number, number]): QuantParams {
  const lo = Math.min(0, lo0);
  const hi = Math.max(0, hi0);
  const scale = Math.fround((hi - lo) / 255) || 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

const tensor = (name: string, dataType: number, dims: number[], data: ArrayBufferView) =>
  codec().TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });

const node = (opType: string, input: string[], output: string[], axis?: number) => {
  const onnx = codec();
  return onnx.NodeProto.create({
    opType,
    name: `${output[0]}/${opType}`,
    input,
    output,
    attribute: axis === undefined ? [] : [onnx.AttributeProto.create({ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: axis })],
  });
};

/** The float tensors a quantisation of `convs` needs ranges for: each one's input and output. */
export function tensorsToRange(convs: readonly any[]): string[] {
  return [...new Set(convs.flatMap((n) => [n.input[0], n.output[0]]))];
}

/**
 * Quantiles (RANGE_QUANTILE and 1 - it) of each named tensor over the inputs,
 * from the float model (onnxruntime-web WASM, every named tensor made an output).
 */
export async function activationRanges(bytes: Uint8Array, names: readonly string[], inputs: readonly RecordedInput[]): Promise<Map<string, [number, number]>> {
  const onnx = codec();
  const m = onnx.ModelProto.decode(bytes);
  const inputName = m.graph.input[0].name;
  const outputs = new Set(m.graph.output.map((o: any) => o.name));
  for (const n of names) if (n !== inputName && !outputs.has(n)) m.graph.output.push({ name: n, type: { tensorType: { elemType: FLOAT } } });
  const { ort } = nodePlatform();
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish(), { executionProviders: ["wasm"] });
  const samples = new Map<string, { values: Float32Array; filled: number }>(names.map((n) => [n, { values: new Float32Array(SAMPLE), filled: 0 }]));
  try {
    for (let k = 0; k < inputs.length; k++) {
      const x = inputs[k]!;
      const out = await session.run({ [inputName]: new ort.Tensor("float32", x.data, x.dims) });
      for (const n of names) {
        const d = n === inputName ? x.data : (out[n]!.data as Float32Array);
        const s = samples.get(n)!;
        // An even share of the sample per input, strided, the offset moving with the input.
        const step = Math.max(1, Math.floor((d.length * inputs.length) / SAMPLE));
        for (let i = (k * 7) % step; i < d.length && s.filled < SAMPLE; i += step) s.values[s.filled++] = d[i]!;
      }
    }
  } finally {
    await session.release();
  }
  const ranges = new Map<string, [number, number]>();
  for (const [n, s] of samples) {
    const v = s.values.slice(0, s.filled).sort();
    ranges.set(n, [v[Math.floor(RANGE_QUANTILE * (v.length - 1))]!, v[Math.ceil((1 - RANGE_QUANTILE) * (v.length - 1))]!]);
  }
  return ranges;
}

/**
 * The model (int8-stored weights: Cast + Mul, weights.ts) with the selected 1x1
 * convolutions in QDQ form, opset 13 (per-channel DequantizeLinear). In place.
 */
export function quantizeConvs(model: any, params: Map<string, QuantParams>, select: (conv: any) => boolean): number {
  const g = model.graph;
  const inits = new Map<string, any>(g.initializer.map((t: any) => [t.name, t]));
  const producer = new Map<string, any>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const convs = pointwiseConvs(model).filter(select);
  const dropped = new Set<any>();
  const before = new Map<any, any[]>(); // node -> nodes to insert before it
  const after = new Map<any, any[]>(); // node -> nodes to insert after it
  const dequantized = new Map<string, string>(); // activation -> its DequantizeLinear output
  const qdq = (name: string, out: string) => {
    const p = params.get(name);
    if (!p) throw new Error(`no quantisation range for ${name}`);
    g.initializer.push(tensor(`${name}.qscale`, FLOAT, [], new Float32Array([p.scale])), tensor(`${name}.qzero`, UINT8, [], new Uint8Array([p.zeroPoint])));
    return [
      node("QuantizeLinear", [name, `${name}.qscale`, `${name}.qzero`], [`${name}.q`]),
      node("DequantizeLinear", [`${name}.q`, `${name}.qscale`, `${name}.qzero`], [out]),
    ];
  };
  for (const conv of convs) {
    const [x, w, b] = conv.input as string[];
    const xp = params.get(x!);
    if (!xp) throw new Error(`no quantisation range for ${x}`);
    if (!dequantized.has(x!)) {
      const at = producer.get(x!);
      const pair = qdq(x!, `${x}.dq`);
      if (at) after.set(at, [...(after.get(at) ?? []), ...pair]);
      else before.set(g.node[0], [...(before.get(g.node[0]) ?? []), ...pair]);
      dequantized.set(x!, `${x}.dq`);
    }
    conv.input[0] = dequantized.get(x!);
    // Weights: Cast(int8) + Mul(scale) becomes one per-channel DequantizeLinear of the same codes.
    const mul = producer.get(w!);
    const cast = mul && producer.get(mul.input[0]);
    if (mul?.opType !== "Mul" || cast?.opType !== "Cast" || inits.get(cast.input[0])?.dataType !== INT8) throw new Error(`${w}: not an int8-stored weight`);
    dropped.add(mul).add(cast);
    const scales = floatsOf(inits.get(mul.input[1]));
    const channels = scales.length;
    const bias = b ? floatsOf(inits.get(b)) : null;
    // QLinearConv adds the bias in int32 at scale x_scale * w_scale[c]. A channel whose weights
    // are all but zero (fr_feature has 18, largest weights 1e-36 to 1e-34, biases about 1e-18:
    // dead channels) would need a denormal scale there and a bias beyond int32; its weights are
    // stored as zeros instead (codes 0, scale 1), which leaves its output exactly what it was:
    // the zero point.
    const codesTensor = inits.get(cast.input[0]);
    const codes = new Int8Array(
      codesTensor.rawData.buffer.slice(codesTensor.rawData.byteOffset, codesTensor.rawData.byteOffset + codesTensor.rawData.byteLength),
    );
    const inner = codes.length / channels;
    let zeroed = 0;
    for (let c = 0; c < channels; c++) {
      const bs = Math.fround(xp.scale * scales[c]!);
      if (bs >= MIN_NORMAL && Math.abs((bias?.[c] ?? 0) / bs) <= INT32_MAX) continue;
      codes.fill(0, c * inner, (c + 1) * inner);
      scales[c] = 1;
      zeroed++;
    }
    if (zeroed) codesTensor.rawData = new Uint8Array(codes.buffer);
    g.initializer.push(tensor(`${w}.wscale`, FLOAT, [channels], scales), tensor(`${w}.wzero`, INT8, [channels], new Int8Array(channels)));
    const pre = [node("DequantizeLinear", [cast.input[0], `${w}.wscale`, `${w}.wzero`], [w!], 0)];
    if (b) {
      // Bias as int32 at scale x_scale * w_scale[c], as QLinearConv takes it.
      const bs = scales.map((s) => Math.fround(xp.scale * s));
      const bq = Int32Array.from(bias!, (v, c) => Math.round(v / bs[c]!));
      g.initializer.push(
        tensor(`${b}.int32`, INT32, [channels], bq),
        tensor(`${b}.bscale`, FLOAT, [channels], bs),
        tensor(`${b}.bzero`, INT32, [channels], new Int32Array(channels)),
      );
      pre.push(node("DequantizeLinear", [`${b}.int32`, `${b}.bscale`, `${b}.bzero`], [`${b}.dq`], 0));
      conv.input[2] = `${b}.dq`;
    }
    before.set(conv, [...(before.get(conv) ?? []), ...pre]);
    const y = conv.output[0];
    const yp = params.get(y);
    if (!yp) throw new Error(`no quantisation range for ${y}`);
    conv.output[0] = `${y}.float`;
    // The output pair's parameters are the output's own; a 1x1 convolution fed by this one reuses its pair.
    params.set(`${y}.float`, yp);
    after.set(conv, [...qdq(`${y}.float`, y), ...(after.get(conv) ?? [])]);
    dequantized.set(y, y);
  }
  // Re-emit in order: whatever a node needs comes right before it, a Q/DQ pair right after its producer.
  const out: any[] = [];
  const emit = (n: any) => {
    out.push(n);
    for (const m of after.get(n) ?? []) emit(m);
  };
  for (const n of g.node) {
    if (dropped.has(n)) continue;
    for (const m of before.get(n) ?? []) out.push(m);
    emit(n);
  }
  g.node = out;
  const used = new Set<string>(out.flatMap((n: any) => n.input));
  g.initializer = g.initializer.filter((t: any) => used.has(t.name));
  // Per-channel DequantizeLinear is opset 13; Conv, PRelu, Add and Reshape mean the same at 9 and 13.
  const kept = new Set(g.node.map((n: any) => n.opType));
  for (const op of kept)
    if (!["Cast", "Mul", "Conv", "PRelu", "Add", "Reshape", "QuantizeLinear", "DequantizeLinear"].includes(op as string))
      throw new Error(`opset 13 not checked for ${op}`);
  model.opsetImport = [codec().OperatorSetIdProto.create({ domain: "", version: 13 })];
  model.irVersion = 8;
  return convs.length;
}

/** The quantisation parameters a QDQ model file holds, by the tensor each QuantizeLinear quantises. */
export function paramsInModel(model: any): Map<string, QuantParams> {
  const inits = new Map<string, any>(model.graph.initializer.map((t: any) => [t.name, t]));
  const out = new Map<string, QuantParams>();
  for (const n of model.graph.node) {
    if (n.opType !== "QuantizeLinear") continue;
    const z = inits.get(n.input[2]).rawData as Uint8Array;
    out.set(n.input[0], { scale: floatsOf(inits.get(n.input[1]))[0]!, zeroPoint: z[0]! });
  }
  return out;
}

/** Mean cosine distance between two models' outputs over the inputs (onnxruntime-web WASM, graph optimisation all). */
async function meanDistance(a: Uint8Array, b: Uint8Array, inputs: readonly RecordedInput[]): Promise<number> {
  const { ort } = nodePlatform();
  const opts = { executionProviders: ["wasm"], graphOptimizationLevel: "all" as const };
  const [sa, sb] = await Promise.all([ort.InferenceSession.create(a, opts), ort.InferenceSession.create(b, opts)]);
  let sum = 0;
  try {
    for (const x of inputs) {
      const feed = { [sa.inputNames[0]!]: new ort.Tensor("float32", x.data, x.dims) };
      const ya = (await sa.run(feed))[sa.outputNames[0]!]!.data as Float32Array;
      const yb = (await sb.run(feed))[sb.outputNames[0]!]!.data as Float32Array;
      sum += 1 - similarity(ya, yb);
    }
  } finally {
    await Promise.all([sa.release(), sb.release()]);
  }
  return sum / inputs.length;
}

export interface Quantized {
  bytes: Uint8Array;
  /** 1x1 convolutions quantised, and those kept float because they were too sensitive (by output name, with their distance). */
  quantized: number;
  keptFloat: { conv: string; distance: number }[];
  /** Mean cosine distance of the whole quantised model to the float one on the calibration inputs. */
  distance: number;
}

/** From an int8-stored model and calibration inputs: the `int8-qdq` model. */
export async function quantizeActivations(int8Stored: Uint8Array, calibration: readonly RecordedInput[]): Promise<Quantized> {
  const onnx = codec();
  const convs = pointwiseConvs(onnx.ModelProto.decode(int8Stored));
  const ranges = await activationRanges(int8Stored, tensorsToRange(convs), calibration);
  const params = new Map([...ranges].map(([k, r]) => [k, paramsOf(r)]));
  const build = (select: (conv: any) => boolean) => {
    const m = onnx.ModelProto.decode(int8Stored);
    quantizeConvs(m, new Map(params), select);
    m.producerName = "facegate scripts/models/derive-weights.ts";
    return onnx.ModelProto.encode(m).finish();
  };
  const keptFloat: { conv: string; distance: number }[] = [];
  for (const c of convs) {
    const y = c.output[0] as string;
    const distance = await meanDistance(
      int8Stored,
      build((n) => n.output[0] === y),
      calibration,
    );
    if (distance > SENSITIVE_LIMIT) keptFloat.push({ conv: y, distance: Number(distance.toPrecision(3)) });
  }
  const kept = new Set(keptFloat.map((k) => k.conv));
  const bytes = build((n) => !kept.has(n.output[0]));
  return { bytes, quantized: convs.length - kept.size, keptFloat, distance: await meanDistance(int8Stored, bytes, calibration) };
}

/** Re-applies the QDQ form with the parameters a shipped file holds (the derivation's transform, without its calibration). */
export function requantize(int8Stored: Uint8Array, shipped: Uint8Array): Uint8Array {
  const onnx = codec();
  const s = onnx.ModelProto.decode(shipped);
  const params = paramsInModel(s);
  const dq = new Set(s.graph.node.filter((n: any) => n.opType === "DequantizeLinear").flatMap((n: any) => n.output));
  const quantizedConvs = new Set(
    pointwiseConvs(s)
      .filter((c: any) => dq.has(c.input[1]))
      .map((c: any) => c.output[0].replace(/\.float$/, "")),
  );
  // An output pair is recorded under "<y>.float": give it back under the output's name.
  for (const [k, p] of [...params]) if (k.endsWith(".float")) params.set(k.slice(0, -".float".length), p);
  const m = onnx.ModelProto.decode(int8Stored);
  quantizeConvs(m, params, (n) => quantizedConvs.has(n.output[0]));
  m.producerName = "facegate scripts/models/derive-weights.ts";
  return onnx.ModelProto.encode(m).finish();
}
