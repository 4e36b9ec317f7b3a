import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelManifestT } from "../../../src/protocol/manifest.js";
import { parseManifest } from "./manifest.js";
import type { ModelSource } from "./model-source.js";

/** Models from a local directory (Node: CLI, tests, tools). */
export function directoryModelSource(dir: string): ModelSource {
  return {
    description: dir,
    async read(_id, entry, onBytes) {
      const bytes = new Uint8Array(await readFile(join(dir, entry.file)));
      onBytes(bytes.length);
      return bytes;
    },
  };
}

/** Read and validate `manifest.json` from a local models directory. */
export async function readManifest(dir: string): Promise<ModelManifestT> {
  return parseManifest(JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")));
}
