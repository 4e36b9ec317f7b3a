import type { ModelSource, Sha256Hex } from "@facegate/client/core";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * The models shipped inside the app (docs/MOBILE.md "Models in the bundle"):
 * the manifest.json of @facegate/client's `models/` as parsed JSON, and how to
 * read one of its files by name (`fr_feature.onnx`...) from the bundle, e.g.
 * with expo-asset + expo-file-system or react-native-fs. Every file is checked
 * against the manifest's sha256 before a session is opened on it.
 */
export interface BundledModels {
  /** `require("@facegate/client/models/manifest.json")` or your copy of it: validated on load. */
  manifest: unknown;
  /** The bytes of one model file, named as the manifest's `file`. */
  read(file: string): Promise<Uint8Array | ArrayBuffer>;
  /** Where they come from, for error messages. Default "the app bundle". */
  description?: string;
}

/** SHA-256 with @noble/hashes: Hermes has no crypto.subtle. */
export const nobleSha256Hex: Sha256Hex = async (bytes) => bytesToHex(sha256(bytes));

/** BundledModels as the pipeline's ModelSource. */
export function bundleModelSource(models: BundledModels): ModelSource {
  return {
    description: models.description ?? "the app bundle",
    async read(_id, entry, onBytes) {
      const got = await models.read(entry.file);
      const bytes = got instanceof Uint8Array ? got : new Uint8Array(got);
      onBytes(bytes.length);
      return bytes;
    },
  };
}
