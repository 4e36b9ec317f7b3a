/**
 * ONNX Runtime's WASM build is 14.2 MB. A host compresses it on the fly at a
 * fast setting (wrangler dev's brotli: 3.7 MB, about gzip -9's); brotli at
 * quality 11 makes it 2.3 MB, but only a host that stores that file and
 * negotiates Content-Encoding for it can send it. So the worker serves a
 * brotli copy as a plain file (`ort-wasm-simd-threaded.wasm.brotli`,
 * application/octet-stream, which no host re-encodes; scripts/build-demo.ts
 * writes it), and the browser decompresses it here, chunk by chunk as it
 * arrives, with a 99 kB (gzip) WebAssembly brotli decoder. The same bytes go
 * over the wire on every host. The measurement is in docs/BENCHMARKS.md
 * ("First login").
 *
 * A host that serves only ORT's own files answers 404, and the caller loads
 * the plain .wasm as before.
 */
import initDecoder, { BrotliStreamResultCode, DecompressStream } from "brotli-dec-wasm/web";

export const COMPRESSED_RUNTIME = "ort-wasm-simd-threaded.wasm.brotli";
/** brotli-dec-wasm's own module, served beside ORT's files. */
export const BROTLI_DECODER = "brotli_dec_wasm_bg.wasm";

/** Output bytes the decoder may produce per call (it asks again when there is more). */
const OUT_CHUNK = 1 << 20;

/** ORT's WASM runtime decompressed from `base`, or null when the host does not serve the compressed copy. */
export async function fetchCompressedRuntime(base: string): Promise<Uint8Array | null> {
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
