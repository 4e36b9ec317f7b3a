import { describe, expect, it } from "vitest";
import { directoryModelSource, readManifest } from "../../runtime/model-dir-node.js";
import { nodePlatform } from "../../runtime/ort-node.js";
import type { ModelSource } from "../../runtime/model-source.js";
import { FacePipeline } from "../face-pipeline.js";
import { fuseModels, logistic, logit, padDecision, parsePadView, type PadPolicy } from "./pad.js";
import { padPolicy } from "../load/preprocessing.js";
import { MODELS_DIR, readFace } from "../testing.js";
import { sha256Hex } from "../../runtime/sha256.js";

const two: PadPolicy = { models: ["a", "b"], weights: { a: 2, b: 0.5 }, bias: -1, threshold: 0.6, burstFrames: 3 };

describe("PAD fusion (client/src/pipeline/pad/pad.ts)", () => {
  it("is the model's own probability for one model with weight 1 and bias 0", () => {
    const one: PadPolicy = { models: ["a"], weights: { a: 1 }, bias: 0, threshold: 0.5, burstFrames: 1 };
    for (const p of [0.01, 0.3, 0.5, 0.9, 0.999]) expect(logistic(fuseModels({ a: p }, one))).toBeCloseTo(p, 12);
  });

  it("combines logits linearly, clipping saturated probabilities", () => {
    expect(fuseModels({ a: 0.8, b: 0.3 }, two)).toBeCloseTo(-1 + 2 * Math.log(4) + 0.5 * Math.log(3 / 7), 12);
    expect(logit(1)).toBeCloseTo(Math.log((1 - 1e-4) / 1e-4), 9);
    expect(logit(0)).toBeCloseTo(-logit(1), 9);
    expect(() => fuseModels({ a: 0.5 }, two)).toThrow(/no PAD score from "b"/);
  });

  it("decides a burst on the mean of its frames' fused logits, against the threshold", () => {
    const frames = [
      { a: 0.9, b: 0.9 },
      { a: 0.4, b: 0.7 },
    ];
    const r = padDecision(frames, two);
    const z = (fuseModels(frames[0]!, two) + fuseModels(frames[1]!, two)) / 2;
    expect(r.score).toBeCloseTo(logistic(z), 12);
    expect(r.decision).toBe(r.score >= 0.6 ? "bona_fide" : "attack");
    expect(r).toMatchObject({ threshold: 0.6, frames: 2 });
    expect(r.models["a"]).toBeCloseTo(0.65, 12);
    expect(padDecision([{ a: 0.01, b: 0.01 }], two).decision).toBe("attack");
    expect(() => padDecision([], two)).toThrow(RangeError);
  });
});

describe("PAD views", () => {
  it("name a model and changes to its preprocessing", () => {
    expect(parsePadView("fr-liveness")).toEqual({ name: "fr-liveness", model: "fr-liveness", preprocessing: {} });
    expect(parsePadView("fr-liveness[cropScale=0.9,channelOrder=rgb]")).toEqual({
      name: "fr-liveness[cropScale=0.9,channelOrder=rgb]",
      model: "fr-liveness",
      preprocessing: { cropScale: 0.9, channelOrder: "rgb" },
    });
    expect(() => parsePadView("fr-liveness[cropScale]")).toThrow(/key=value/);
    expect(() => parsePadView("a b")).toThrow(RangeError);
  });

  it("run views of one model on one session, each with its own crop", async () => {
    const manifest = await readManifest(MODELS_DIR);
    const views = ["fr-liveness[cropScale=0.9]", "fr-liveness[cropScale=2.7]"];
    const pipe = await FacePipeline.load(
      {
        platform: nodePlatform({ threads: 1 }),
        manifest,
        source: directoryModelSource(MODELS_DIR),
        sha256: sha256Hex,
        provider: "wasm",
        pad: true,
      },
      { overrides: { pad: { policy: { models: views, weights: { [views[0]!]: 1 }, bias: 0 } } } },
    );
    try {
      const a = await pipe.analyze(await readFace("obama/obama_2.jpg"), { pad: "report" });
      expect(Object.keys(a.pad!.models)).toEqual(views);
      expect(a.pad!.models[views[0]!]).not.toBe(a.pad!.models[views[1]!]);
      // Weight 0 for the second view: the decision is the first view's probability.
      expect(a.pad!.score).toBeCloseTo(Math.min(1 - 1e-4, Math.max(1e-4, a.pad!.models[views[0]!]!)), 9);
    } finally {
      await pipe.dispose();
    }
  });
});

describe("PAD in the pipeline", () => {
  it("the shipped manifest's pad block names liveness-role models with preprocessing the SDK can read", async () => {
    const manifest = await readManifest(MODELS_DIR);
    const policy = padPolicy(manifest)!;
    expect(policy.models.length).toBeGreaterThan(0);
    for (const view of policy.models) {
      expect(manifest.models[parsePadView(view).model]!.role).toBe("liveness");
      expect(policy.weights[view]).toBeTypeOf("number");
    }
    expect(policy.threshold).toBeGreaterThan(0);
    expect(policy.threshold).toBeLessThan(1);
  });

  it("downloads the PAD models only when PAD is requested", async () => {
    const manifest = await readManifest(MODELS_DIR);
    const dir = directoryModelSource(MODELS_DIR);
    const read: string[] = [];
    const recording: ModelSource = {
      description: dir.description,
      read: (id, entry, onBytes) => {
        read.push(id);
        return dir.read(id, entry, onBytes);
      },
    };
    const padIds = [...new Set(padPolicy(manifest)!.models.map((v) => parsePadView(v).model))];
    const without = await FacePipeline.load({ platform: nodePlatform({ threads: 1 }), manifest, source: recording, sha256: sha256Hex, provider: "wasm" });
    expect(read.filter((id) => padIds.includes(id))).toEqual([]);
    expect(without.padPolicy).toBeNull();
    await expect(without.analyze(await readFace("obama/obama_2.jpg"), { pad: "report" })).rejects.toThrow(/loaded without it/);
    await without.dispose();
    read.length = 0;
    const withPad = await FacePipeline.load({
      platform: nodePlatform({ threads: 1 }),
      manifest,
      source: recording,
      sha256: sha256Hex,
      provider: "wasm",
      pad: true,
    });
    expect(read.filter((id) => padIds.includes(id)).sort()).toEqual([...padIds].sort());
    await withPad.dispose();
  });
});
