/**
 * Embedding cache: one small JSON file per (file bytes, model, pipeline
 * version, perturbation) under .cache/eval/ (git-ignored), so a re-run only
 * computes what changed. Refusals are cached too: the pipeline is
 * deterministic, a refused image stays refused until the version changes.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EmbedOutcome } from "../types.js";

export const DEFAULT_CACHE_DIR = ".cache/eval";
const FORMAT = 1;

export interface CacheKey {
  /** sha256 of the image file's bytes, hex. */
  fileSha256: string;
  modelId: string;
  pipelineVersion: string;
  /** "none" for the clean image. */
  perturbation: string;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface Stored {
  format: number;
  key: CacheKey;
  ok: boolean;
  embedding?: string;
  timings?: Record<string, number>;
  reason?: string;
  message?: string;
}

export class EmbeddingCache {
  hits = 0;
  misses = 0;
  constructor(
    readonly dir: string = DEFAULT_CACHE_DIR,
    readonly enabled = true,
  ) {}

  fileFor(key: CacheKey): string {
    const id = sha256Hex(JSON.stringify([FORMAT, key.fileSha256, key.modelId, key.pipelineVersion, key.perturbation]));
    return path.join(this.dir, id.slice(0, 2), `${id}.json`);
  }

  async get(key: CacheKey): Promise<EmbedOutcome | null> {
    if (!this.enabled) return null;
    let stored: Stored;
    try {
      stored = JSON.parse(await readFile(this.fileFor(key), "utf8")) as Stored;
    } catch {
      this.misses++;
      return null;
    }
    const k = stored.key;
    const same =
      stored.format === FORMAT &&
      k?.fileSha256 === key.fileSha256 &&
      k.modelId === key.modelId &&
      k.pipelineVersion === key.pipelineVersion &&
      k.perturbation === key.perturbation;
    if (!same) {
      this.misses++;
      return null;
    }
    this.hits++;
    if (stored.ok && stored.embedding !== undefined) {
      const bytes = Buffer.from(stored.embedding, "base64");
      const embedding = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(embedding.buffer).set(bytes);
      return { ok: true, embedding, timings: stored.timings ?? {} };
    }
    return { ok: false, reason: stored.reason ?? "unknown", message: stored.message ?? "" };
  }

  async put(key: CacheKey, outcome: EmbedOutcome): Promise<void> {
    if (!this.enabled) return;
    const stored: Stored = outcome.ok
      ? {
          format: FORMAT,
          key,
          ok: true,
          embedding: Buffer.from(outcome.embedding.buffer, outcome.embedding.byteOffset, outcome.embedding.byteLength).toString("base64"),
          timings: outcome.timings,
        }
      : { format: FORMAT, key, ok: false, reason: outcome.reason, message: outcome.message };
    const file = this.fileFor(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(stored));
    await rename(tmp, file);
  }
}
