import type * as OrtWeb from "onnxruntime-web";
import type { OrtPlatform, ProviderChoice, ProviderPreference } from "./ort.js";
import { chooseProvider, type GpuLike } from "./provider.js";
import { sha256Hex } from "./sha256.js";
import { warmUpRuntime } from "./ort-warmup.js";

/**
 * Browser platform entry. The execution provider is chosen first, then only
 * the ONNX Runtime build it needs is loaded:
 *
 * - WASM: `onnxruntime-web/wasm` (its .wasm is 14 MB);
 * - WebGPU: `onnxruntime-web/webgpu`, on which every node of the float face
 *   models ran on the WebGPU EP (the default JSEP build left 33 PRelu nodes on
 *   the CPU, docs/MODELS.md; the int8 embedding model's QuantizeLinear nodes
 *   were not re-checked). Its runtime (.asyncify.wasm, 26.8 MB) is larger than
 *   the 25 MiB a Cloudflare static asset may be, so scripts/build-demo.ts
 *   splits it into parts with a small index (`<name>.parts.json`: part files,
 *   total bytes, sha256); when that index exists the parts are fetched,
 *   joined, checked and handed to ORT as `wasmBinary`. A host without the
 *   limit can serve the single file and no index.
 *
 * Most users have no hardware GPU (or only a software adapter, 15-40x slower
 * than WASM here), so they never download the WebGPU runtime at all.
 *
 * When `wasmPaths` names where ORT's files are served, the WASM runtime is
 * fetched brotli-compressed from there if the host has the compressed copy
 * (runtime/compressed-runtime.ts; the facegate worker's /ort/ does), else ORT
 * fetches its plain .wasm itself. A second visit reads the decompressed
 * runtime from Cache Storage.
 */
export interface BrowserPlatformOptions {
  /**
   * Where ORT's `.wasm`/`.mjs` files are served (same origin, a directory URL
   * ending in `/`). Default: next to the bundled ORT module.
   */
  wasmPaths?: string;
  /**
   * WASM threads. Default: up to 4 when the page is cross-origin isolated
   * (COOP/COEP), 1 otherwise: without isolation there is no
   * SharedArrayBuffer and ORT would silently run one thread anyway.
   */
  threads?: number;
}

/** onnxruntime-web's namespace (its `env.wasm` configures the runtime). */
type WebOrt = typeof OrtWeb;

const WEBGPU_RUNTIME = "ort-wasm-simd-threaded.asyncify.wasm";

interface PartsIndex {
  parts: string[];
  bytes: number;
  sha256: string;
}

/** Fetches a runtime split by build-demo.ts, or null when the host serves it whole. */
async function joinedRuntime(base: string): Promise<Uint8Array | null> {
  const res = await fetch(new URL(`${WEBGPU_RUNTIME}.parts.json`, base));
  if (!res.ok) return null;
  const index = (await res.json()) as PartsIndex;
  const out = new Uint8Array(index.bytes);
  let at = 0;
  for (const part of index.parts) {
    const r = await fetch(new URL(part, base));
    if (!r.ok) throw new Error(`cannot fetch ONNX Runtime part ${part}: HTTP ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    out.set(bytes, at);
    at += bytes.length;
  }
  if (at !== index.bytes || (await sha256Hex(out)) !== index.sha256) {
    throw new Error("the WebGPU ONNX Runtime failed its integrity check");
  }
  return out;
}

function configure(ort: WebOrt, threads: number, wasmPaths?: string, wasmBinary?: Uint8Array): void {
  ort.env.wasm.numThreads = threads;
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
  if (wasmBinary) ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.logLevel = "error";
}

/**
 * Hands ORT the compressed runtime when the host serves it; never fails (ORT
 * then fetches its plain .wasm, which works everywhere).
 */
async function useCompressedRuntime(ort: WebOrt, wasmPaths: string | undefined, loader: Promise<CompressedRuntimeModule> | undefined): Promise<void> {
  if (!wasmPaths || !loader) return;
  try {
    const { fetchCompressedRuntime } = await loader;
    const binary = await fetchCompressedRuntime(wasmPaths, ort.env.versions.web ?? "unversioned");
    if (binary) ort.env.wasm.wasmBinary = binary;
  } catch {
    // a broken copy or decoder: the plain .wasm below still loads
  }
}

type CompressedRuntimeModule = typeof import("./compressed-runtime.js");

/** The compressed runtime's chunk (with the decoder's glue), fetched only when `wasmPaths` is set, beside ORT's own JavaScript. */
function compressedRuntimeLoader(wasmPaths: string | undefined): Promise<CompressedRuntimeModule> | undefined {
  if (!wasmPaths) return undefined;
  const loader = import("./compressed-runtime.js");
  loader.catch(() => undefined); // awaited (and its failure tolerated) in useCompressedRuntime
  return loader;
}

function threadCount(requested: number | undefined): number {
  const isolated = typeof crossOriginIsolated !== "undefined" && crossOriginIsolated;
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1;
  return isolated ? Math.max(1, Math.min(requested ?? 4, cores)) : 1;
}

let loaded: Promise<OrtPlatform> | null = null;

/**
 * Chooses the provider and loads the matching ORT build. ORT's WASM runtime
 * is a process-wide singleton, so the first call decides for the page.
 */
export function browserPlatform(preference: ProviderPreference, opts: BrowserPlatformOptions = {}): Promise<OrtPlatform> {
  loaded ??= (async () => {
    const gpu = typeof navigator !== "undefined" ? (navigator as Navigator & { gpu?: GpuLike }).gpu : undefined;
    let choice: ProviderChoice = await chooseProvider(gpu, preference);
    const threads = threadCount(opts.threads);
    let ort: WebOrt;
    /** Set on the WASM paths: settles once ORT may initialise (with the compressed runtime, or without). */
    let runtime: Promise<void> | undefined;
    if (choice.provider === "webgpu") {
      try {
        const base = opts.wasmPaths ?? new URL("./", import.meta.url).toString();
        const binary = await joinedRuntime(base);
        ort = (await import("onnxruntime-web/webgpu")) as WebOrt;
        configure(ort, threads, opts.wasmPaths, binary ?? undefined);
      } catch (e) {
        if (preference === "webgpu") throw e;
        choice = { provider: "wasm", reason: `WebGPU runtime unavailable (${(e as Error).message}); using WASM` };
        const loader = compressedRuntimeLoader(opts.wasmPaths);
        ort = (await import("onnxruntime-web/wasm")) as WebOrt;
        configure(ort, threads, opts.wasmPaths);
        runtime = useCompressedRuntime(ort, opts.wasmPaths, loader);
      }
    } else {
      // Both chunks at once: the loader needs ORT's version only once it runs.
      const loader = compressedRuntimeLoader(opts.wasmPaths);
      ort = (await import("onnxruntime-web/wasm")) as WebOrt;
      configure(ort, threads, opts.wasmPaths);
      runtime = useCompressedRuntime(ort, opts.wasmPaths, loader);
    }
    // Not awaited: the runtime downloads and compiles while the caller downloads the models.
    const wasmOrt = ort;
    if (runtime) void runtime.then(() => warmUpRuntime(wasmOrt));
    const decided = choice;
    return {
      name: "browser",
      ort,
      threads,
      // The choice was made above, before loading ORT; the pipeline asks again and gets the same answer,
      // once the runtime is in hand: the pipeline opens its sessions right after, and a session opened
      // before `wasmBinary` is set would make ORT fetch the plain .wasm as well.
      selectProvider: async () => {
        await runtime;
        return decided;
      },
    };
  })().catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return loaded;
}
