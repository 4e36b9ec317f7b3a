import { describe, expect, it } from "vitest";
import { fitFusion, fuseBursts, fuseImages } from "./fuse.js";
import { padMetrics } from "./metrics.js";
import type { ScoredImage } from "./score.js";
import { logistic, logit } from "../../../client/src/pipeline/pad/pad.js";

/** Synthetic per-model scores (the fusion's arithmetic; the real run is pad-eval.test.ts). */
function img(type: string, subject: string, rel: string, scores: Record<string, number> | null): ScoredImage {
  return { rel, type, subject, source: "s", split: "", scores };
}

/** A deterministic pseudo-random stream. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe("PAD fusion on development scores", () => {
  it("fuses per image with the SDK's rule; a refused image stays refused", () => {
    const p = fuseImages([img("bona_fide", "a", "1", { m: 0.8 }), img("print", "b", "2", null)], { models: ["m"], weights: { m: 1 }, bias: 0 });
    expect(p[0]!.score).toBeCloseTo(0.8, 12);
    expect(p[1]!.score).toBeNull();
  });

  it("scores bursts of N frames of one capture on the mean of their logits, skipping refused frames", () => {
    const frames = [0.9, 0.6, 0.7, 0.2, 0.95, 0.5, 0.99].map((s, k) => img("bona_fide", "a", `cap1_${k}`, k === 1 ? null : { m: s }));
    const other = [0.1, 0.2, 0.3].map((s, k) => img("print", "b", `cap2_${k}`, { m: s }));
    const b = fuseBursts([...frames, ...other], { models: ["m"], weights: { m: 1 }, bias: 0 }, 3, (im) => im.rel.split("_")[0]!);
    // cap1: frames 0-2 (one refused) and 3-5; the 7th frame is left over. cap2: one burst.
    expect(b).toHaveLength(3);
    expect(b[0]!.score).toBeCloseTo(logistic((logit(0.9) + logit(0.7)) / 2), 12);
    expect(b[1]!.score).toBeCloseTo(logistic((logit(0.2) + logit(0.95) + logit(0.5)) / 3), 12);
    expect(b[2]).toMatchObject({ type: "print", subject: "b" });
  });

  it("fits weights that rank the informative model above the noise, balanced across attack types", () => {
    const r = lcg(3);
    const images: ScoredImage[] = [];
    for (let k = 0; k < 200; k++) {
      const type = k < 100 ? "bona_fide" : k < 180 ? "print" : "replay";
      const bona = type === "bona_fide";
      // `good` separates the classes, `noise` does not.
      images.push(img(type, `s${k % 7}`, String(k), { good: bona ? 0.5 + 0.5 * r() : 0.6 * r(), noise: r() }));
    }
    const fit = fitFusion(images, ["good", "noise"]);
    expect(fit.weights["good"]!).toBeGreaterThan(4 * Math.abs(fit.weights["noise"]!));
    const fused = padMetrics(fuseImages(images, fit), 0.5);
    const alone = padMetrics(fuseImages(images, { models: ["noise"], weights: { noise: 1 }, bias: 0 }), 0.5);
    expect(fused.eer.eer).toBeLessThan(alone.eer.eer);
    expect(() =>
      fitFusion(
        images.filter((i) => i.type === "bona_fide"),
        ["good"],
      ),
    ).toThrow(/bona fide and attack/);
  });
});
