import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EmbeddingCache, sha256Hex } from "./cache.js";

describe("embedding cache", () => {
  const key = { fileSha256: sha256Hex("image bytes"), modelId: "fr512-v1", pipelineVersion: "abc", perturbation: "none" };

  it("round-trips embeddings bit for bit, and refusals", async () => {
    const cache = new EmbeddingCache(await mkdtemp(path.join(tmpdir(), "facegate-cache-")));
    expect(await cache.get(key)).toBeNull();
    const embedding = Float32Array.from([0.1, -0.25, 1 / 3, 1e-30]);
    await cache.put(key, { ok: true, embedding, timings: { embed: 12.5 } });
    const hit = await cache.get(key);
    expect(hit).toEqual({ ok: true, embedding, timings: { embed: 12.5 } });
    const refused = { ...key, perturbation: "blur2" };
    await cache.put(refused, { ok: false, reason: "too-blurry", message: "sharpness 3" });
    expect(await cache.get(refused)).toEqual({ ok: false, reason: "too-blurry", message: "sharpness 3" });
    expect([cache.hits, cache.misses]).toEqual([2, 1]);
  });

  it("keys on bytes, model, pipeline version and perturbation", async () => {
    const cache = new EmbeddingCache(await mkdtemp(path.join(tmpdir(), "facegate-cache-")));
    await cache.put(key, { ok: true, embedding: Float32Array.from([1]), timings: {} });
    for (const other of [
      { ...key, fileSha256: sha256Hex("other bytes") },
      { ...key, modelId: "other" },
      { ...key, pipelineVersion: "abd" },
      { ...key, perturbation: "jpeg30" },
    ]) {
      expect(await cache.get(other)).toBeNull();
    }
    expect(cache.fileFor(key)).toMatch(/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/);
  });

  it("does nothing when disabled", async () => {
    const cache = new EmbeddingCache(await mkdtemp(path.join(tmpdir(), "facegate-cache-")), false);
    await cache.put(key, { ok: true, embedding: Float32Array.from([1]), timings: {} });
    expect(await cache.get(key)).toBeNull();
  });
});
