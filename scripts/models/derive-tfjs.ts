/**
 * Converts a small TensorFlow.js graph model (model.json + weights .bin) to
 * ONNX, so that a model shipped in an npm package in tfjs format runs on the
 * one runtime the SDK already has (onnxruntime-web) instead of adding tfjs
 * to the page. No converter for this exists on npm (tf2onnx is Python and
 * reads TensorFlow SavedModels, not tfjs graphs), and the models this is for
 * (@vladmandic/human's `antispoof` and `liveness`, docs/PAD.md) use a handful
 * of ops, so the conversion is a direct op-by-op translation:
 *
 *   _FusedConv2D (BiasAdd[, Relu]) -> Conv [+ Relu]   (HWIO kernel -> OIHW)
 *   MaxPool, Relu, Sigmoid, Softmax -> the same ops
 *   Mul / Add / AddV2 with a per-channel constant -> Mul / Add (constant as [1,C,1,1])
 *   Reshape to [-1, n] (Keras Flatten)  -> Transpose back to NHWC + Flatten
 *   _FusedMatMul (BiasAdd[, Relu]) -> Gemm [+ Relu]
 *
 * The ONNX model keeps the tfjs input layout (NHWC, same name order as the
 * original's signature) behind one Transpose, and flattens in NHWC order, so
 * the dense layers' weights are used unchanged. float16-quantised weights are
 * expanded to float32 (their values are exactly those tfjs dequantises to).
 * Any op outside this list is refused.
 *
 * The script checks the ONNX model (onnxruntime-node) against the original
 * run by tfjs's own kernels (@tensorflow/tfjs-core on its CPU backend,
 * interpreting the same graph in NHWC), on seeded random inputs.
 *
 *   npx tsx scripts/models/derive-tfjs.ts <model.json> <out.onnx>
 *   npx tsx scripts/models/derive-tfjs.ts <model.json> --into <models dir> --id <id>
 *
 * The second form also adds the model to that directory's manifest.json as
 * a PAD candidate, for eval:pad (docs/PAD.md says how the candidates were
 * measured; none of them ships unless it wins).
 *
 * The ONNX protobuf codec is onnxruntime-web's (see derive-detector.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";

interface TfjsNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string; f?: number; b?: boolean; list?: { i?: string[]; s?: string[] }; shape?: unknown; type?: string }>;
}

interface TfjsWeight {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  quantization?: { dtype: "float16" | "uint8" | "uint16"; original_dtype?: string; scale?: number; min?: number };
}

export interface TfjsGraphModel {
  format: string;
  modelTopology: { node: TfjsNode[] };
  weightsManifest: { paths: string[]; weights: TfjsWeight[] }[];
  signature?: { inputs?: Record<string, { name: string }>; outputs?: Record<string, { name: string }> };
}

export interface Weights {
  get(name: string): { shape: number[]; data: Float32Array | Int32Array } | undefined;
}

/** IEEE 754 binary16 to float: tfjs stores `float16` quantised weights this way. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Reads the weights the way tfjs's io.decodeWeights does (concatenated shards, in manifest order). */
export function readWeights(model: TfjsGraphModel, dir: string): Weights {
  const out = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  for (const group of model.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
    let offset = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      let data: Float32Array | Int32Array;
      if (q?.dtype === "float16") {
        data = new Float32Array(n);
        for (let k = 0; k < n; k++) data[k] = halfToFloat(buf.readUInt16LE(offset + 2 * k));
        offset += 2 * n;
      } else if (q) {
        throw new Error(`${w.name}: ${q.dtype} quantisation is not supported`);
      } else if (w.dtype === "float32") {
        data = new Float32Array(n);
        for (let k = 0; k < n; k++) data[k] = buf.readFloatLE(offset + 4 * k);
        offset += 4 * n;
      } else if (w.dtype === "int32") {
        data = new Int32Array(n);
        for (let k = 0; k < n; k++) data[k] = buf.readInt32LE(offset + 4 * k);
        offset += 4 * n;
      } else {
        throw new Error(`${w.name}: dtype ${String(w.dtype)} is not supported`);
      }
      out.set(w.name, { shape: w.shape, data });
    }
    if (offset !== buf.length) throw new Error(`weights of ${group.paths.join(",")}: read ${offset} of ${buf.length} bytes`);
  }
  return out;
}

const str = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8"));

interface OnnxCodec {
  ModelProto: { create(o: object): any; encode(m: any): { finish(): Uint8Array } };
  TensorProto: { DataType: Record<string, number> };
  AttributeProto: { AttributeType: Record<string, number> };
}

function codec(): OnnxCodec {
  const require = createRequire(import.meta.url);
  const file = fileURLToPath(new URL("../../node_modules/onnxruntime-web/lib/onnxjs/ort-schema/protobuf/onnx.js", import.meta.url));
  return require(file).onnx as OnnxCodec;
}

/** The model's single input and output (from its signature). */
function endpoints(model: TfjsGraphModel): { input: TfjsNode; output: string } {
  const nodes = model.modelTopology.node;
  const inputs = nodes.filter((n) => n.op === "Placeholder");
  if (inputs.length !== 1) throw new Error(`expected one input, found ${inputs.length}`);
  const outs = Object.values(model.signature?.outputs ?? {});
  if (outs.length !== 1) throw new Error(`expected one output in the signature, found ${outs.length}`);
  return { input: inputs[0]!, output: outs[0]!.name.replace(/:0$/, "") };
}

export interface Converted {
  onnx: Uint8Array;
  /** NHWC input shape of the original ([-1 as "batch", H, W, C]). */
  inputShape: [number, number, number];
  outputWidth: number;
}

export function convertTfjs(model: TfjsGraphModel, weights: Weights, producer: string): Converted {
  if (model.format !== "graph-model") throw new Error(`not a tfjs graph model (format ${model.format})`);
  const onnx = codec();
  const FLOAT = onnx.TensorProto.DataType["FLOAT"]!;
  const AT = onnx.AttributeProto.AttributeType;
  const { input, output } = endpoints(model);
  const dims = ((input.attr?.["shape"]?.shape as { dim?: { size: string }[] } | undefined)?.dim ?? []).map((d) => Number(d.size));
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) throw new Error(`input shape ${dims} is not [batch, H, W, C]`);
  const [, H, W, C] = dims as [number, number, number, number];

  const nodes: any[] = [];
  const inits: any[] = [];
  let seq = 0;
  const fresh = (base: string) => `${base}__${++seq}`;
  const ints = (name: string, v: number[]) => ({ name, type: AT["INTS"], ints: v });
  const int = (name: string, v: number) => ({ name, type: AT["INT"], i: v });
  const strAttr = (name: string, v: string) => ({ name, type: AT["STRING"], s: new TextEncoder().encode(v) });
  const addInit = (name: string, d: number[], data: Float32Array) => {
    inits.push({ name, dims: d, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  };
  const node = (op: string, ins: string[], out: string, attribute: any[] = []) => {
    nodes.push({ opType: op, input: ins, output: [out], name: out, attribute });
    return out;
  };
  const weight = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`weight ${name} missing`);
    return w;
  };

  /** tfjs tensor name -> ONNX tensor name and its layout here. */
  const env = new Map<string, { name: string; layout: "nchw" | "flat"; channels: number }>();
  env.set(input.name, { name: node("Transpose", ["input"], fresh("nchw"), [ints("perm", [0, 3, 1, 2])]), layout: "nchw", channels: C });

  const consts = new Set(model.modelTopology.node.filter((n) => n.op === "Const").map((n) => n.name));
  const fused = (n: TfjsNode) => (n.attr?.["fused_ops"]?.list?.s ?? []).map((s) => str(s));
  for (const n of model.modelTopology.node) {
    if (n.op === "Const" || n.op === "Placeholder") continue;
    const ins = (n.input ?? []).filter((i) => !i.startsWith("^"));
    const x = env.get(ins[0]!);
    if (!x) throw new Error(`${n.name}: input ${ins[0]} not computed yet`);
    switch (n.op) {
      case "_FusedConv2D": {
        const ops = fused(n);
        if (ops[0] !== "BiasAdd" || ops.length > 2 || (ops[1] && ops[1] !== "Relu")) throw new Error(`${n.name}: fused ops ${ops}`);
        if (str(n.attr?.["data_format"]?.s) !== "NHWC") throw new Error(`${n.name}: data_format must be NHWC`);
        const strides = (n.attr?.["strides"]?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
        const dil = (n.attr?.["dilations"]?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
        const pad = str(n.attr?.["padding"]?.s);
        const k = weight(ins[1]!);
        const [kh, kw, ci, co] = k.shape as [number, number, number, number];
        const oihw = new Float32Array(k.data.length);
        for (let h = 0; h < kh; h++)
          for (let w = 0; w < kw; w++)
            for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) oihw[((o * ci + i) * kh + h) * kw + w] = k.data[((h * kw + w) * ci + i) * co + o]!;
        const attrs: object[] = [ints("kernel_shape", [kh, kw]), ints("strides", [strides[1]!, strides[2]!]), ints("dilations", [dil[1]!, dil[2]!])];
        if (pad === "SAME") attrs.push(strAttr("auto_pad", "SAME_UPPER"));
        else if (pad === "VALID") attrs.push(ints("pads", [0, 0, 0, 0]));
        else throw new Error(`${n.name}: padding ${pad}`);
        const wName = addInit(`${n.name}/kernel`, [co, ci, kh, kw], oihw);
        const bName = addInit(`${n.name}/bias`, [co], Float32Array.from(weight(ins[2]!).data));
        let y = node("Conv", [x.name, wName, bName], fresh(n.name), attrs);
        if (ops[1] === "Relu") y = node("Relu", [y], fresh(n.name));
        env.set(n.name, { name: y, layout: "nchw", channels: co });
        break;
      }
      case "MaxPool": {
        const ks = (n.attr?.["ksize"]?.list?.i ?? []).map(Number);
        const st = (n.attr?.["strides"]?.list?.i ?? []).map(Number);
        const pad = str(n.attr?.["padding"]?.s);
        if (x.layout !== "nchw" || ks[0] !== 1 || ks[3] !== 1) throw new Error(`${n.name}: unsupported pooling`);
        const attrs: object[] = [ints("kernel_shape", [ks[1]!, ks[2]!]), ints("strides", [st[1]!, st[2]!])];
        if (pad === "SAME") attrs.push(strAttr("auto_pad", "SAME_UPPER"));
        else if (pad !== "VALID") throw new Error(`${n.name}: padding ${pad}`);
        env.set(n.name, { ...x, name: node("MaxPool", [x.name], fresh(n.name), attrs) });
        break;
      }
      case "Relu":
      case "Sigmoid":
      case "Identity":
        env.set(n.name, { ...x, name: node(n.op, [x.name], fresh(n.name)) });
        break;
      case "Softmax":
        if (x.layout !== "flat") throw new Error(`${n.name}: softmax over a 4-D tensor`);
        env.set(n.name, { ...x, name: node("Softmax", [x.name], fresh(n.name), [int("axis", -1)]) });
        break;
      case "Mul":
      case "Add":
      case "AddV2": {
        const c = ins[1]!;
        if (!consts.has(c)) throw new Error(`${n.name}: only a constant second operand is supported`);
        const v = weight(c);
        if (v.shape.length !== 1 || v.shape[0] !== x.channels) throw new Error(`${n.name}: constant of shape ${v.shape} for ${x.channels} channels`);
        const d = x.layout === "nchw" ? [1, x.channels, 1, 1] : [1, x.channels];
        const cName = addInit(`${n.name}/const`, d, Float32Array.from(v.data));
        env.set(n.name, { ...x, name: node(n.op === "Mul" ? "Mul" : "Add", [x.name, cName], fresh(n.name)) });
        break;
      }
      case "Reshape": {
        const shape = Array.from(weight(ins[1]!).data);
        if (x.layout !== "nchw" || shape.length !== 2 || shape[0] !== -1) throw new Error(`${n.name}: only a Keras Flatten ([-1, n]) is supported`);
        // Keras flattens NHWC: go back to that order so the dense weights apply unchanged.
        const nhwc = node("Transpose", [x.name], fresh(n.name), [ints("perm", [0, 2, 3, 1])]);
        const flat = node("Flatten", [nhwc], fresh(n.name), [int("axis", 1)]);
        env.set(n.name, { name: flat, layout: "flat", channels: shape[1]! });
        break;
      }
      case "_FusedMatMul": {
        const ops = fused(n);
        if (ops[0] !== "BiasAdd" || ops.length > 2 || (ops[1] && ops[1] !== "Relu")) throw new Error(`${n.name}: fused ops ${ops}`);
        if (n.attr?.["transpose_a"]?.b || n.attr?.["transpose_b"]?.b) throw new Error(`${n.name}: transposed MatMul`);
        if (x.layout !== "flat") throw new Error(`${n.name}: MatMul on a 4-D tensor`);
        const w = weight(ins[1]!);
        const [, nOut] = w.shape as [number, number];
        const wName = addInit(`${n.name}/weights`, w.shape, Float32Array.from(w.data));
        const bName = addInit(`${n.name}/bias`, [nOut], Float32Array.from(weight(ins[2]!).data));
        let y = node("Gemm", [x.name, wName, bName], fresh(n.name));
        if (ops[1] === "Relu") y = node("Relu", [y], fresh(n.name));
        env.set(n.name, { name: y, layout: "flat", channels: nOut });
        break;
      }
      default:
        throw new Error(`${n.name}: op ${n.op} is not supported by this converter`);
    }
  }
  const last = env.get(output);
  if (last?.layout !== "flat") throw new Error(`output ${output} not computed, or not 2-D`);
  nodes[nodes.length - 1].output = ["output"];
  nodes[nodes.length - 1].name = "output";

  const dim = (v: number | string) => (typeof v === "number" ? { dimValue: v } : { dimParam: v });
  const valueInfo = (name: string, shape: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map(dim) } } },
  });
  const m = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: producer,
    graph: {
      name: "converted",
      node: nodes,
      initializer: inits,
      input: [valueInfo("input", ["batch", H, W, C])],
      output: [valueInfo("output", ["batch", last.channels])],
    },
  });
  return { onnx: onnx.ModelProto.encode(m).finish(), inputShape: [H, W, C], outputWidth: last.channels };
}

/** Runs the tfjs graph with tfjs's own kernels (NHWC), for the check. */
async function runTfjs(model: TfjsGraphModel, weights: Weights, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  const { input, output } = endpoints(model);
  const env = new Map<string, import("@tensorflow/tfjs-core").Tensor>();
  env.set(input.name, tf.tensor(x, shape));
  const t = (name: string) => {
    const v = env.get(name);
    if (v) return v;
    const w = weights.get(name)!;
    return tf.tensor(w.data, w.shape, w.data instanceof Int32Array ? "int32" : "float32");
  };
  for (const n of model.modelTopology.node) {
    if (n.op === "Const" || n.op === "Placeholder") continue;
    const ins = (n.input ?? []).filter((i) => !i.startsWith("^"));
    const ops = (n.attr?.["fused_ops"]?.list?.s ?? []).map((s) => str(s));
    let y: import("@tensorflow/tfjs-core").Tensor;
    switch (n.op) {
      case "_FusedConv2D": {
        const st = (n.attr?.["strides"]?.list?.i ?? []).map(Number);
        y = tf.add(tf.conv2d(t(ins[0]!) as any, t(ins[1]!) as any, [st[1]!, st[2]!], str(n.attr?.["padding"]?.s) === "SAME" ? "same" : "valid"), t(ins[2]!));
        if (ops[1] === "Relu") y = tf.relu(y);
        break;
      }
      case "MaxPool": {
        const ks = (n.attr?.["ksize"]?.list?.i ?? []).map(Number);
        const st = (n.attr?.["strides"]?.list?.i ?? []).map(Number);
        y = tf.maxPool(t(ins[0]!) as any, [ks[1]!, ks[2]!], [st[1]!, st[2]!], str(n.attr?.["padding"]?.s) === "SAME" ? "same" : "valid");
        break;
      }
      case "Relu":
        y = tf.relu(t(ins[0]!));
        break;
      case "Sigmoid":
        y = tf.sigmoid(t(ins[0]!));
        break;
      case "Softmax":
        y = tf.softmax(t(ins[0]!));
        break;
      case "Identity":
        y = t(ins[0]!);
        break;
      case "Mul":
        y = tf.mul(t(ins[0]!), t(ins[1]!));
        break;
      case "Add":
      case "AddV2":
        y = tf.add(t(ins[0]!), t(ins[1]!));
        break;
      case "Reshape":
        y = tf.reshape(t(ins[0]!), Array.from(weights.get(ins[1]!)!.data));
        break;
      case "_FusedMatMul":
        y = tf.add(tf.matMul(t(ins[0]!) as any, t(ins[1]!) as any), t(ins[2]!));
        if (ops[1] === "Relu") y = tf.relu(y);
        break;
      default:
        throw new Error(`op ${n.op}`);
    }
    env.set(n.name, y);
  }
  return Float32Array.from(await env.get(output)!.data());
}

/** Largest |difference| between the ONNX model and tfjs on seeded random batches; throws above `tolerance`. */
export async function checkConversion(model: TfjsGraphModel, weights: Weights, converted: Converted, tolerance = 1e-4): Promise<number> {
  const session = await ort.InferenceSession.create(converted.onnx);
  const [H, W, C] = converted.inputShape;
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let worst = 0;
  for (let trial = 0; trial < 3; trial++) {
    const batch = 2;
    const x = new Float32Array(batch * H * W * C).map(rand);
    const shape = [batch, H, W, C];
    const want = await runTfjs(model, weights, x, shape);
    const got = (await session.run({ input: new ort.Tensor("float32", x, shape) }))["output"]!.data as Float32Array;
    if (got.length !== want.length) throw new Error(`output length ${got.length}, tfjs ${want.length}`);
    for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
  }
  await session.release();
  if (!(worst <= tolerance)) throw new Error(`the ONNX model disagrees with tfjs: max |difference| ${worst}`);
  return worst;
}

/**
 * A PAD-candidate manifest entry for the converted model (role `liveness`,
 * the manifest schema's name for PAD models), with the preprocessing the
 * source library uses (RGB scaled to 0..1, NHWC) as the starting point that
 * eval:pad then measures (docs/PAD.md).
 */
function candidateEntry(file: string, bytes: Uint8Array, src: string, c: Converted): Record<string, unknown> {
  // <package>/models/x.json: the package's own package.json names it.
  const pkgDir = path.dirname(path.dirname(path.resolve(src)));
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { name: string; version: string; license?: string };
  const rel = path.relative(pkgDir, path.resolve(src)).split(path.sep).join("/");
  const [H, , C] = c.inputShape;
  return {
    role: "liveness",
    file,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    bytes: bytes.length,
    licence: pkg.license ?? "unknown",
    source: {
      package: pkg.name,
      version: pkg.version,
      path: rel,
      derivedBy: `npx tsx scripts/models/derive-tfjs.ts <package>/${rel} --into <models dir> --id <id>`,
    },
    inputs: [{ name: "input", shape: ["batch", H, H, C], type: "float32" }],
    outputs: [{ name: "output", shape: ["batch", c.outputWidth], type: "float32" }],
    preprocessing: {
      size: H,
      layout: "NHWC",
      cropScale: 1,
      channelOrder: "rgb",
      mean: 0,
      std: 255,
      output: c.outputWidth === 1 ? "sigmoid" : "probabilities",
      bonaFideClass: 0,
    },
    ort: { graphOptimizationLevel: "all" },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // derive-tfjs.ts <model.json> <out.onnx>
  // derive-tfjs.ts <model.json> --into <models dir> --id <manifest id>: also add it to that dir's manifest.json
  const args = process.argv.slice(2);
  const flag = (f: string) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
  const src = args[0];
  const into = flag("--into");
  const id = flag("--id");
  const out = into ? path.join(into, `${id?.replace(/-/g, "_")}.onnx`) : args[1];
  if (!src || !out || (into && !id)) throw new Error("usage: derive-tfjs.ts <model.json> (<out.onnx> | --into <models dir> --id <id>)");
  const json = readFileSync(src);
  const model = JSON.parse(json.toString("utf8")) as TfjsGraphModel;
  const weights = readWeights(model, path.dirname(src));
  const converted = convertTfjs(model, weights, "facegate scripts/models/derive-tfjs.ts");
  const diff = await checkConversion(model, weights, converted);
  writeFileSync(out, converted.onnx);
  const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  const bins = model.weightsManifest.flatMap((g) => g.paths.map((p) => `${p} ${sha(readFileSync(path.join(path.dirname(src), p)))}`));
  console.log(`${src}: sha256 ${sha(json)}; ${bins.join("; ")}`);
  console.log(`check: 3 x 2 random inputs, max |ONNX - tfjs| ${diff.toExponential(2)}`);
  console.log(
    `${out}: ${converted.onnx.length} bytes, sha256 ${sha(converted.onnx)}, input [batch, ${converted.inputShape.join(", ")}] NHWC, output [batch, ${converted.outputWidth}]`,
  );
  if (into && id) {
    const { setJsonMember } = await import("../eval/calibration/manifest.js");
    const file = path.join(into, "manifest.json");
    writeFileSync(file, setJsonMember(readFileSync(file, "utf8"), ["models", id], candidateEntry(path.basename(out), converted.onnx, src, converted)));
    console.log(`${file}: models["${id}"] added (a PAD candidate: eval:pad --models ${into} --candidates ${id}[...])`);
  }
}
