import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FaceQualityError } from "../../../client/src/errors.js";
import { EmbeddingCache } from "./cache.js";
import { decodeImageBytes } from "../data/decode.js";
import { checkImagesExist, embedImages, imagesNeeded } from "./embed-images.js";
import type { Pipeline } from "./embedder.js";
import { evaluate } from "../metrics/evaluate.js";
import { folderPairs } from "../data/pairs.js";
import type { RgbaImage } from "../types.js";

const PEOPLE = path.join(import.meta.dirname, "../fixtures/people");
/** The fixture images are flat colours; Cleo_0001.png has red 200. */
const CLEO_RED = 200;

/**
 * A test double for the pipeline: the embedding is the image's mean R, G, B
 * (so a perturbation changes it); with `refuse`, Cleo's image is refused; counts calls.
 */
function stubPipeline(opts: { refuse?: boolean; crash?: string } = {}) {
  const calls = { decode: 0, analyze: 0 };
  const pipeline: Pipeline = {
    embedder: {
      modelId: "stub",
      pipelineVersion: "1",
      async analyze(image: RgbaImage) {
        calls.analyze++;
        const m = [0, 0, 0];
        for (let k = 0; k < image.data.length; k += 4) for (let c = 0; c < 3; c++) m[c]! += image.data[k + c]! + 1;
        if (opts.refuse && image.data[0] === CLEO_RED) throw new FaceQualityError("no-face", "none found");
        return { embedding: Float32Array.from(m), timings: { embed: 1 } };
      },
    },
    decode: async (bytes, file) => {
      calls.decode++;
      if (opts.crash && file.includes(opts.crash)) throw new Error("corrupt");
      return decodeImageBytes(bytes, file);
    },
    decoder: "test",
    source: "test",
  };
  return { pipeline, calls };
}

describe("embedImages", () => {
  it("decodes each image once for all its variants, then serves re-runs from the cache", async () => {
    const pairs = await folderPairs(PEOPLE, { seed: 1 });
    const need = imagesNeeded(pairs, "brightness-40");
    for (const p of pairs) {
      expect(need.get(p.a)!.has("none")).toBe(true);
      expect(need.get(p.b)!.has("brightness-40")).toBe(true);
    }
    const variants = [...need.values()].reduce((n, s) => n + s.size, 0);
    const cache = new EmbeddingCache(await mkdtemp(path.join(tmpdir(), "facegate-embed-")));
    const first = stubPipeline();
    const run1 = await embedImages(need, { pipeline: first.pipeline, cache, quiet: true });
    expect(first.calls).toEqual({ decode: need.size, analyze: variants });
    expect(run1.stats).toEqual({ images: need.size, computed: need.size, cached: 0 });
    const second = stubPipeline();
    const run2 = await embedImages(need, { pipeline: second.pipeline, cache, quiet: true });
    expect(second.calls).toEqual({ decode: 0, analyze: 0 });
    expect(run2.stats.cached).toBe(need.size);
    const file = [...need.keys()].find((f) => need.get(f)!.size === 2)!;
    const clean = run2.outcomes.get(file)!.get("none")!;
    const darker = run2.outcomes.get(file)!.get("brightness-40")!;
    expect(clean.ok && darker.ok).toBe(true);
    if (clean.ok && darker.ok) expect(Array.from(darker.embedding)).not.toEqual(Array.from(clean.embedding));
  });

  it("records refusals and decode errors by reason, and stops on any other pipeline error", async () => {
    const pairs = await folderPairs(PEOPLE, { seed: 1 });
    const need = imagesNeeded(pairs);
    const cache = new EmbeddingCache(undefined, false);
    const { pipeline } = stubPipeline({ refuse: true, crash: "Ben_0002" });
    const { outcomes } = await embedImages(need, { pipeline, cache, quiet: true });
    const reasons = [...outcomes].map(([f, m]) => [path.basename(f), m.get("none")!.ok ? "ok" : (m.get("none") as { reason: string }).reason]);
    // Cleo's image is refused; Ben_0002 fails to decode.
    expect(reasons).toContainEqual(["Cleo_0001.png", "no-face"]);
    expect(reasons).toContainEqual(["Ben_0002.png", "decode-error"]);
    const broken: Pipeline = {
      ...pipeline,
      embedder: {
        ...pipeline.embedder,
        analyze: async () => {
          throw new Error("model exploded");
        },
      },
    };
    await expect(embedImages(need, { pipeline: broken, cache, quiet: true })).rejects.toThrow(/pipeline failed on .*model exploded/);
  });

  it("counts failed pairs as non-matches in the headline and reports them by reason", async () => {
    const pairs = await folderPairs(PEOPLE, { impostors: 11 });
    const { pipeline } = stubPipeline({ refuse: true });
    const { outcomes } = await embedImages(imagesNeeded(pairs), { pipeline, cache: new EmbeddingCache(undefined, false), quiet: true });
    const ev = evaluate("clean", pairs, outcomes, "none", { modelId: "stub", threshold: -1, operatingFmr: 1e-4, thresholds: [] });
    // Only Cleo's image is refused; Cleo has no genuine pair, and 5 impostor pairs.
    expect(ev.failures.images).toMatchObject({ total: 6, failed: 1, byReason: { "no-face": 1 } });
    expect(ev.failures.impostorPairs).toMatchObject({ total: 11, failed: 5, byReason: { "no-face": 5 } });
    expect(ev.failures.genuinePairs.failed).toBe(0);
    // At threshold -1 every processed pair matches; the 5 failed impostor pairs are correct non-matches.
    expect(ev.atShipped.operating.outcome).toMatchObject({ tar: 1, falseMatches: 6, trueNonMatches: 5 });
    expect(ev.scores.impostor.filter((s) => s === -Infinity)).toHaveLength(5);
    expect(ev.processedOnly.impostorPairs).toBe(6);
  });

  it("fails fast when images are missing", async () => {
    await expect(checkImagesExist([path.join(PEOPLE, "Anna/Anna_0001.png"), "/nope/a.jpg"])).rejects.toThrow(/1 of 2 images not found/);
  });
});
