/**
 * The int8-compute form of the embedding model (activations.ts): the quantisation
 * parameters, and that the shipped file is in the form its manifest derivation
 * records (which convolutions compute in int8, which stayed float and why).
 * That re-deriving it gives the shipped bytes, and that its outputs stay within
 * the recorded differences, is derive-weights.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELS_DIR } from "../../client/src/pipeline/testing.js";
import { readManifest } from "../../client/src/runtime/model-dir-node.js";
import { paramsInModel, paramsOf, pointwiseConvs } from "./activations.js";
import { codec, INT8 } from "./onnx.js";

describe("activation quantisation parameters", () => {
  it("maps a range onto uint8 with zero exactly representable", () => {
    const p = paramsOf([-1, 3]);
    expect(p.scale).toBeCloseTo(4 / 255, 7);
    expect(p.zeroPoint).toBe(64);
    // A range that excludes 0 is widened to hold it (ONNX requires 0 to be exact).
    expect(paramsOf([0.5, 2])).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 0 });
    expect(paramsOf([-2, -0.5]).zeroPoint).toBe(255);
  });
});

describe("the shipped embedding model", async () => {
  const manifest = await readManifest(MODELS_DIR);
  const entry = manifest.models["fr512-v1"]!;
  const d = (entry.source as unknown as { derivation: { storage: string; qdq?: { quantizedConvs: number; keptFloat: { conv: string }[] } } }).derivation;
  const model = codec().ModelProto.decode(new Uint8Array(readFileSync(join(MODELS_DIR, entry.file))));

  it.runIf(d.storage === "int8-qdq")("computes the 1x1 convolutions the manifest names in int8, the others float", () => {
    const g = model.graph;
    const producer = new Map<string, any>();
    for (const n of g.node) for (const o of n.output) producer.set(o, n);
    const inits = new Map<string, any>(g.initializer.map((t: any) => [t.name, t]));
    const convs = pointwiseConvs(model);
    const quantized = convs.filter((c: any) => producer.get(c.input[1])?.opType === "DequantizeLinear");
    expect(quantized).toHaveLength(d.qdq!.quantizedConvs);
    for (const c of quantized) {
      // Input from a DequantizeLinear, output straight into a QuantizeLinear: what ORT fuses into QLinearConv.
      expect(producer.get(c.input[0])?.opType).toBe("DequantizeLinear");
      expect(g.node.filter((n: any) => n.input[0] === c.output[0]).map((n: any) => n.opType)).toEqual(["QuantizeLinear"]);
      expect(inits.get(producer.get(c.input[1]).input[0]).dataType).toBe(INT8);
    }
    const kept = convs.filter((c: any) => !quantized.includes(c)).map((c: any) => c.output[0]);
    expect(kept).toEqual(d.qdq!.keptFloat.map((k) => k.conv));
    // Every activation scale is a positive finite float, every zero point a uint8.
    for (const p of paramsInModel(model).values()) {
      expect(p.scale).toBeGreaterThan(0);
      expect(Number.isFinite(p.scale)).toBe(true);
      expect(p.zeroPoint).toBeGreaterThanOrEqual(0);
      expect(p.zeroPoint).toBeLessThanOrEqual(255);
    }
    expect(model.opsetImport.map((o: any) => Number(o.version))).toEqual([13]);
  });
});
