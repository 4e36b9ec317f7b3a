/**
 * ONNX Runtime's WASM build is 14.2 MB. A host compresses it on the fly at a
 * fast setting (wrangler dev sends 3.7 MB, about gzip -9's); brotli at
 * quality 11 makes it 2.3 MB, but only a host that stores that file and
 * negotiates Content-Encoding for it can send it. So the worker serves a
 * brotli copy as a plain file (`ort-wasm-simd-threaded.wasm.brotli`,
 * application/octet-stream, which no host re-encodes; scripts/build-demo.ts
 * writes it), and the browser decompresses it here, chunk by chunk as it
 * arrives, with a 99 kB (gzip) WebAssembly brotli decoder. The same bytes go
 * over the wire on every host. The measurement is in docs/BENCHMARKS.md
 * ("First login").
 *
 * Decompressing takes 200-300 ms of the page's main thread, so the result is
 * kept in Cache Storage (`facegate-runtime-v1`, one entry, keyed by ORT's
 * version: the .wasm must match the ORT JavaScript that loads it anyway) and a
 * second visit reads it from there, fetching neither the copy nor the decoder.
 * Storing is best effort: a browser without Cache Storage, or out of quota,
 * decompresses again next time.
 *
 * A host that serves only ORT's own files answers 404, and the caller loads
 * the plain .wasm as before.
 */
import initDecoder, { BrotliStreamResultCode, DecompressStream } from "brotli-dec-wasm/web";

export const COMPRESSED_RUNTIME = "ort-wasm-simd-threaded.wasm.brotli";
/** brotli-dec-wasm's own module, served beside ORT's files. */
export const BROTLI_DECODER = "brotli_dec_wasm_bg.wasm";
/** Where decompressed runtimes are kept (test/browser/first-login.test.ts reads it). */
export const RUNTIME_CACHE = "facegate-runtime-v1";

/** Output bytes the decoder may produce per call (it asks again when there is more). */
const OUT_CHUNK = 1 << 20;
/** The header that records a stored runtime's length (a sanity check on what is read back). */
const LENGTH_HEADER = "x-facegate-runtime-bytes";

/**
 * ORT's WASM runtime for ORT `ortVersion`, from Cache Storage or decompressed
 * from `base`; null when the host does not serve the compressed copy.
 */
export async function fetchCompressedRuntime(base: string, ortVersion: string): Promise<Uint8Array | null> {
  const key = new URL(`${COMPRESSED_RUNTIME}?decompressed&ort=${encodeURIComponent(ortVersion)}`, base).href;
  const cache = await openCache();
  const stored = cache ? await readStored(cache, key) : null;
  if (stored) return stored;
  const bytes = await decompressFrom(base);
  if (bytes && cache) void store(cache, key, bytes);
  return bytes;
}

async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === "undefined" ? null : await caches.open(RUNTIME_CACHE);
  } catch {
    return null; // an opaque origin, or storage the user has blocked
  }
}

async function readStored(cache: Cache, key: string): Promise<Uint8Array | null> {
  try {
    const res = await cache.match(key);
    if (!res) return null;
    const bytes = new Uint8Array(await res.arrayBuffer());
    const magic = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    if (magic && String(bytes.length) === res.headers.get(LENGTH_HEADER)) return bytes;
    await cache.delete(key);
  } catch {
    // unreadable: decompress again
  }
  return null;
}

/** Keeps this runtime as the only entry (an older ORT's goes). */
async function store(cache: Cache, key: string, bytes: Uint8Array): Promise<void> {
  try {
    const headers = { "Content-Type": "application/wasm", [LENGTH_HEADER]: String(bytes.length) };
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    for (const old of await cache.keys()) if (old.url !== key) await cache.delete(old);
  } catch {
    // out of quota, or storage cleared meanwhile: the next visit decompresses again
  }
}

async function decompressFrom(base: string): Promise<Uint8Array | null> {
  const [res] = await Promise.all([fetch(new URL(COMPRESSED_RUNTIME, base)), initDecoder({ module_or_path: new URL(BROTLI_DECODER, base) })]);
  if (!res.ok || !res.body) return null;
  const stream = new DecompressStream();
  const parts: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const reader = res.body.getReader();
  for (;;) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    let input = value;
    for (;;) {
      const r = stream.decompress(input, OUT_CHUNK);
      if (r.buf.length) {
        parts.push(r.buf);
        total += r.buf.length;
      }
      if (r.code === BrotliStreamResultCode.ResultSuccess) done = true;
      if (r.code !== BrotliStreamResultCode.NeedsMoreOutput) break;
      input = input.subarray(r.input_offset);
    }
  }
  stream.free();
  if (!done) throw new Error(`${COMPRESSED_RUNTIME} ended before its brotli stream did`);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
