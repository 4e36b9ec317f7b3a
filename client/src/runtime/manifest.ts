import { ModelManifest, type ModelManifestT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";

/** Validate a parsed manifest.json against the shared schema. */
export function parseManifest(json: unknown): ModelManifestT {
  const r = ModelManifest.safeParse(json);
  if (!r.success) throw new ModelLoadError("manifest", `models/manifest.json is invalid: ${r.error.message}`);
  return r.data;
}

/** Fetch and validate `manifest.json` from the models base URL. */
export async function fetchManifest(baseUrl: string | URL, fetchFn: typeof fetch = globalThis.fetch): Promise<ModelManifestT> {
  const base = String(baseUrl).endsWith("/") ? String(baseUrl) : `${String(baseUrl)}/`;
  const url = new URL("manifest.json", new URL(base, globalThis.location?.href));
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new ModelLoadError("manifest", `could not fetch ${url.href}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError("manifest", `GET ${url.href}: HTTP ${res.status}`);
  return parseManifest(await res.json());
}
