import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelManifestT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";
import { MODELS_DIR } from "../pipeline/testing.js";
import type { LoadProgress } from "../pipeline/types.js";
import { loadModelFiles } from "./load-models.js";
import { directoryModelSource, readManifest } from "./model-dir-node.js";
import type { ModelSource } from "./model-source.js";
import { nodePlatform } from "./ort-node.js";
import { ModelSession } from "./session.js";
import { sha256Hex } from "./sha256.js";

const manifest = await readManifest(MODELS_DIR);

/** Serves the real files, but can corrupt one byte of a model and counts reads and evictions. */
function source(opts: { corrupt?: string; corruptTimes?: number } = {}): ModelSource & { reads: string[]; evicted: string[] } {
  const reads: string[] = [];
  const evicted: string[] = [];
  let left = opts.corruptTimes ?? Infinity;
  return {
    description: "test",
    reads,
    evicted,
    async read(id, entry, onBytes) {
      reads.push(id);
      const bytes = new Uint8Array(await readFile(join(MODELS_DIR, entry.file)));
      if (id === opts.corrupt && left-- > 0) bytes[1000] = bytes[1000]! ^ 0xff;
      // Deliver in chunks, as a streamed download does.
      for (let i = 0; i < bytes.length; i += 256 * 1024) onBytes(Math.min(256 * 1024, bytes.length - i));
      return bytes;
    },
    async evict(id) {
      evicted.push(id);
    },
  };
}

describe("loadModelFiles", () => {
  it("checks every model's sha256 and reports progress across all of them", async () => {
    const progress: LoadProgress[] = [];
    const ids = ["fr-detect", "fr-landmark68"];
    const files = await loadModelFiles(manifest, ids, directoryModelSource(MODELS_DIR), sha256Hex, (p) => progress.push(p));
    expect([...files.keys()]).toEqual(ids);
    const total = manifest.models["fr-detect"]!.bytes + manifest.models["fr-landmark68"]!.bytes;
    expect(progress.at(-1)).toEqual({ loaded: total, total, model: "fr-landmark68" });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.loaded).toBeGreaterThanOrEqual(progress[i - 1]!.loaded);
  });

  it("refuses a model whose bytes do not match the manifest (ModelLoadError)", async () => {
    const src = source({ corrupt: "fr-landmark68" });
    const err = await loadModelFiles(manifest, ["fr-detect", "fr-landmark68"], src, sha256Hex).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).model).toBe("fr-landmark68");
    expect((err as Error).message).toMatch(/sha256/);
    // A cached copy is evicted and fetched once more before giving up.
    expect(src.evicted).toEqual(["fr-landmark68"]);
    expect(src.reads).toEqual(["fr-detect", "fr-landmark68", "fr-landmark68"]);
  });

  it("recovers when only the cached copy was bad, keeping progress consistent", async () => {
    const src = source({ corrupt: "fr-landmark68", corruptTimes: 1 });
    const progress: LoadProgress[] = [];
    const files = await loadModelFiles(manifest, ["fr-landmark68"], src, sha256Hex, (p) => progress.push(p));
    expect(files.get("fr-landmark68")!.bytes.length).toBe(manifest.models["fr-landmark68"]!.bytes);
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
  });

  it("refuses a manifest entry with a different sha256 than the file", async () => {
    const m: ModelManifestT = structuredClone(manifest);
    m.models["fr-detect"]!.sha256 = "0".repeat(64);
    await expect(loadModelFiles(m, ["fr-detect"], directoryModelSource(MODELS_DIR), sha256Hex)).rejects.toBeInstanceOf(ModelLoadError);
  });

  it("refuses unknown ids and unreadable files with ModelLoadError", async () => {
    await expect(loadModelFiles(manifest, ["nope"], directoryModelSource(MODELS_DIR), sha256Hex)).rejects.toBeInstanceOf(ModelLoadError);
    await expect(loadModelFiles(manifest, ["fr-detect"], directoryModelSource("/nonexistent"), sha256Hex)).rejects.toBeInstanceOf(ModelLoadError);
  });
});

describe("ModelSession", () => {
  it("refuses a model that lacks the manifest's tensor names", async () => {
    const platform = nodePlatform();
    const entry = manifest.models["fr-landmark68"]!;
    const bytes = new Uint8Array(await readFile(join(MODELS_DIR, entry.file)));
    const wrong = { ...entry, outputs: [{ name: "landmarks", shape: [1, 136], type: "float32" }] };
    await expect(ModelSession.create(platform.ort, "fr-landmark68", wrong, bytes, "wasm")).rejects.toThrow(/lacks the manifest's tensors: landmarks/);
  });

  it("runs on the provider it was created for", async () => {
    const platform = nodePlatform();
    const entry = manifest.models["fr-landmark68"]!;
    const bytes = new Uint8Array(await readFile(join(MODELS_DIR, entry.file)));
    const s = await ModelSession.create(platform.ort, "fr-landmark68", entry, bytes, "wasm");
    const out = await s.run({ input: s.tensor(new Float32Array(64 * 64).fill(0.5), [1, 1, 64, 64]) });
    expect(ModelSession.floats(out, "output")).toHaveLength(136);
    expect(s.provider).toBe("wasm");
    await s.release();
  });
});
