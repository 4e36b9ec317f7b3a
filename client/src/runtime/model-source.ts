import type { ModelEntryT } from "../../../src/protocol/manifest.js";

/**
 * Where model bytes come from. `onBytes` reports bytes as they arrive (for
 * download progress); a source that has the file at once reports it once.
 */
export interface ModelSource {
  readonly description: string;
  read(id: string, entry: ModelEntryT, onBytes: (n: number) => void): Promise<Uint8Array>;
  /** Forget a cached copy (called when its sha256 does not match). */
  evict?(id: string, entry: ModelEntryT): Promise<void>;
}

/** The Cache Storage name of models and content-hashed manifests; bump it to drop every cached copy. */
export const MODEL_CACHE_NAME = "facegate-models-v1";

export interface FetchSourceOptions {
  /** Use the Cache API when the runtime has one (browsers). Default true. */
  cache?: boolean;
  /** Cache name; bump it to drop every cached model. */
  cacheName?: string;
  fetch?: typeof fetch;
}

/**
 * Models over HTTP from `baseUrl` (the `models/` folder as deployed), with the
 * body streamed for progress and, in browsers, kept in the Cache API. The
 * cache key carries the sha256, so a new model version never hits a stale
 * copy; the caller re-checks the digest of cached bytes anyway.
 */
export function fetchModelSource(baseUrl: string | URL, opts: FetchSourceOptions = {}): ModelSource {
  const base = new URL(String(baseUrl).endsWith("/") ? String(baseUrl) : `${String(baseUrl)}/`, globalThis.location?.href);
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const useCache = (opts.cache ?? true) && typeof caches !== "undefined";
  const cacheName = opts.cacheName ?? MODEL_CACHE_NAME;
  const keyOf = (entry: ModelEntryT): string => `${new URL(entry.file, base).href}?sha256=${entry.sha256}`;

  return {
    description: base.href,
    async read(id, entry, onBytes) {
      const url = new URL(entry.file, base);
      const cache = useCache ? await caches.open(cacheName).catch(() => null) : null;
      const hit = cache ? await cache.match(keyOf(entry)) : undefined;
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        onBytes(bytes.length);
        return bytes;
      }
      const res = await doFetch(url);
      if (!res.ok) throw new Error(`GET ${url.href}: HTTP ${res.status}`);
      const bytes = await readBody(res, entry.bytes, onBytes);
      if (cache) {
        await cache
          .put(keyOf(entry), new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/octet-stream" } }))
          .catch(() => undefined); // quota or private mode: caching is best effort
      }
      return bytes;
    },
    async evict(_id, entry) {
      if (!useCache) return;
      const cache = await caches.open(cacheName).catch(() => null);
      await cache?.delete(keyOf(entry));
    },
  };
}

async function readBody(res: Response, expected: number, onBytes: (n: number) => void): Promise<Uint8Array> {
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    onBytes(bytes.length);
    return bytes;
  }
  const header = Number(res.headers.get("content-length"));
  // Content-Length is the compressed size when the server gzips; trust the manifest.
  let buf = new Uint8Array(Math.max(expected, Number.isFinite(header) ? header : 0, 1));
  let length = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.length > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, length + value.length));
      bigger.set(buf.subarray(0, length));
      buf = bigger;
    }
    buf.set(value, length);
    length += value.length;
    onBytes(value.length);
  }
  return buf.subarray(0, length);
}
