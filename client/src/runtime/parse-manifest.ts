import { ModelManifest, type ModelManifestT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";

/** Validate a parsed manifest.json against the shared schema. */
export function parseManifest(json: unknown): ModelManifestT {
  const r = ModelManifest.safeParse(json);
  if (!r.success) throw new ModelLoadError("manifest", `models/manifest.json is invalid: ${r.error.message}`, { code: "manifest-invalid" });
  return r.data;
}
