import type { ModelManifestT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";
import { parseManifest } from "./parse-manifest.js";
import { sha256Hex } from "./sha256.js";

export { parseManifest } from "./parse-manifest.js";

export interface FetchManifestOptions {
  fetch?: typeof fetch;
  /**
   * A prefix the manifest's sha256 must have (the content-hashed default path,
   * runtime/models-id.ts). When set, the manifest is immutable at its URL and
   * is kept in Cache Storage like the models, so a warm load fetches nothing.
   */
  sha256Prefix?: string;
  /** Cache Storage name (shared with the models); null: no cache. */
  cacheName?: string | null;
}

/** Fetch and validate `manifest.json` from the models base URL. */
export async function fetchManifest(baseUrl: string | URL, opts: FetchManifestOptions = {}): Promise<ModelManifestT> {
  const fetchFn = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const base = String(baseUrl).endsWith("/") ? String(baseUrl) : `${String(baseUrl)}/`;
  const url = new URL("manifest.json", new URL(base, globalThis.location?.href));
  const cache = opts.sha256Prefix && opts.cacheName && typeof caches !== "undefined" ? await caches.open(opts.cacheName).catch(() => null) : null;
  const hit = cache ? await cache.match(url.href).catch(() => undefined) : undefined;
  let bytes: Uint8Array | null = hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  if (bytes && opts.sha256Prefix && !(await sha256Hex(bytes)).startsWith(opts.sha256Prefix)) {
    await cache?.delete(url.href);
    bytes = null;
  }
  if (!bytes) {
    let res: Response;
    try {
      res = await fetchFn(url);
    } catch (e) {
      throw new ModelLoadError(
        "manifest",
        `could not fetch ${url.href}: ${(e as Error).message} (a models host on another origin must allow CORS; README "Self-hosting the models")`,
        { cause: e, code: "manifest-unreachable" },
      );
    }
    if (!res.ok) {
      throw new ModelLoadError(
        "manifest",
        `GET ${url.href}: HTTP ${res.status}${res.status === 404 ? " (does this worker serve the models of this SDK version? pass modelsBaseUrl)" : ""}`,
        {
          code: "manifest-not-found",
        },
      );
    }
    bytes = new Uint8Array(await res.arrayBuffer());
    if (opts.sha256Prefix) {
      const digest = await sha256Hex(bytes);
      if (!digest.startsWith(opts.sha256Prefix)) {
        throw new ModelLoadError("manifest", `${url.href} has sha256 ${digest}, not the ${opts.sha256Prefix}… this SDK expects`, { code: "manifest-mismatch" });
      }
      await cache?.put(url.href, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/json" } })).catch(() => undefined); // quota or private mode: caching is best effort
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError("manifest", `${url.href} is not JSON`, { cause: e, code: "manifest-invalid" });
  }
  return parseManifest(json);
}
