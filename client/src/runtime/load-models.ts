import type { ModelEntryT, ModelManifestT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";
import type { LoadProgress } from "../pipeline/types.js";
import type { ModelSource } from "./model-source.js";

/**
 * Lower-case hex SHA-256 of a model file. Injected rather than imported so the
 * platform-neutral core names no crypto API: WebCrypto in browsers and Node
 * (runtime/sha256.ts), @noble/hashes in React Native (Hermes has no WebCrypto).
 */
export type Sha256Hex = (bytes: Uint8Array) => Promise<string>;

export interface LoadedModel {
  id: string;
  entry: ModelEntryT;
  bytes: Uint8Array;
}

/**
 * Read the given models from `source`, reporting progress across all of them
 * (total = the manifest's byte counts), and check every file's sha256 against
 * the manifest on every load, cached or not. A cached copy that fails the
 * check is evicted and fetched once more before giving up.
 */
export async function loadModelFiles(
  manifest: ModelManifestT,
  ids: readonly string[],
  source: ModelSource,
  sha256Hex: Sha256Hex,
  onProgress?: (p: LoadProgress) => void,
): Promise<Map<string, LoadedModel>> {
  const entries = ids.map((id) => {
    const entry = manifest.models[id];
    if (!entry) throw new ModelLoadError(id, `model "${id}" is not in the manifest`);
    return [id, entry] as const;
  });
  const total = entries.reduce((sum, [, e]) => sum + e.bytes, 0);
  let loaded = 0;
  const out = new Map<string, LoadedModel>();
  // Sequential on purpose: progress is monotonic and memory peaks at one download.
  for (const [id, entry] of entries) {
    let got = 0;
    const onBytes = (n: number) => {
      got += n;
      loaded += n;
      onProgress?.({ loaded: Math.min(loaded, total), total, model: id });
    };
    let bytes = await read(source, id, entry, onBytes);
    let digest = await sha256Hex(bytes);
    if (digest !== entry.sha256 && source.evict) {
      await source.evict(id, entry);
      loaded -= got;
      got = 0;
      bytes = await read(source, id, entry, onBytes);
      digest = await sha256Hex(bytes);
    }
    if (digest !== entry.sha256) {
      throw new ModelLoadError(id, `model "${id}" (${entry.file}) failed its integrity check: sha256 ${digest}, manifest says ${entry.sha256}`, {
        code: "model-integrity",
      });
    }
    out.set(id, { id, entry, bytes });
  }
  return out;
}

async function read(source: ModelSource, id: string, entry: ModelEntryT, onBytes: (n: number) => void): Promise<Uint8Array> {
  try {
    return await source.read(id, entry, onBytes);
  } catch (e) {
    throw new ModelLoadError(id, `could not load model "${id}" from ${source.description}: ${(e as Error).message}`, { cause: e, code: "model-unreachable" });
  }
}
