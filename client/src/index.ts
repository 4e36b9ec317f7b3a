/**
 * The facegate client SDK for browsers: the face pipeline on WebGPU or WASM
 * (onnxruntime-web), HPKE envelopes, and the typed API client.
 *
 *   const client = createFaceClient({ baseUrl, getToken });
 *   await client.loadModels({ onProgress });
 *   const { match, assertion } = await client.verify("alice", videoElement, { loginNonce });
 *
 * Sources (FaceSource): ImageData-like `{data, width, height}` (RGBA),
 * ImageBitmap, HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, or
 * HTMLVideoElement (a live camera: a short burst of frames is analysed and fused).
 * The drop-in elements are in `@facegate/client/elements`.
 */
import { webCryptoHpke } from "./api/envelope-webcrypto.js";
import { createFaceClientWith, type BurstOptions, type FaceClient as BaseFaceClient, type FaceClientOptions } from "./client.js";
import { rgbaFromBrowserSource, videoFrames, type BrowserImageSource } from "./image/dom.js";
import type { RgbaImage } from "./image/types.js";
import { DEFAULT_BURST, type Frame } from "./pipeline/types.js";
import { browserPasskeys } from "./passkey/browser.js";
import { defaultModelsUrl, MODELS_ID } from "./runtime/models-id.js";
import { prefetchWasmRuntime } from "./runtime/prefetch.js";

export * from "./exports.js";
export { MODELS_ID } from "./runtime/models-id.js";

/** What a face can be taken from in a browser. */
export type FaceSource = BrowserImageSource | RgbaImage;

export interface BrowserFaceClientOptions extends FaceClientOptions {
  /**
   * Where ONNX Runtime's .wasm/.mjs files are served (a directory URL ending in `/`).
   * Default: where your bundler put them (onnxruntime-web resolves them next to its module).
   * Same origin when the page is cross-origin isolated (COEP) and you want WASM threads.
   */
  wasmPaths?: string;
  /** WASM threads (used only when the page is cross-origin isolated). */
  threads?: number;
  /** Keep downloaded models in Cache Storage (checked by sha256 on every load). Default true. */
  cacheModels?: boolean;
}

function isVideo(source: FaceSource): source is HTMLVideoElement {
  return typeof HTMLVideoElement !== "undefined" && source instanceof HTMLVideoElement;
}

/** Frames from a playing video, spaced so that `maxFrames` fall within `windowMs`. */
function burstFrames(video: HTMLVideoElement, burst: BurstOptions): AsyncIterable<Frame> {
  const maxFrames = burst.maxFrames ?? DEFAULT_BURST.maxFrames;
  // Up to 3x the frames we need: bad frames (a blink, motion blur) are skipped.
  return videoFrames(video, { count: maxFrames * 3, intervalMs: (burst.windowMs ?? DEFAULT_BURST.windowMs) / maxFrames });
}

export function createFaceClient(opts: BrowserFaceClientOptions): FaceClient<FaceSource> {
  const modelsBaseUrl = opts.modelsBaseUrl ?? defaultModelsUrl(opts.baseUrl);
  return createFaceClientWith<FaceSource>(
    {
      async loadPipeline({ provider, pad, onProgress }) {
        // The pipeline's code is a chunk of its own, fetched with the models: a page that only
        // imports the SDK (or shows consent first) downloads the API client and nothing more.
        prefetchWasmRuntime(provider, opts.wasmPaths);
        const { loadBrowserPipeline } = await import("./pipeline/load/load-browser.js");
        return loadBrowserPipeline({
          modelsBaseUrl,
          // The default path names the manifest by its hash: check it (and cache it) as such.
          ...(opts.modelsBaseUrl === undefined ? { manifestSha256Prefix: MODELS_ID } : {}),
          provider,
          pad,
          ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}),
          ...(opts.threads ? { threads: opts.threads } : {}),
          ...(opts.cacheModels === false ? { cache: false } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
      },
      hpke: webCryptoHpke(),
      toImage: (source) => rgbaFromBrowserSource(source),
      toFrames: (source, burst) => (isVideo(source) ? burstFrames(source, burst) : null),
      // About 10 frames a second for up to 10 s: the capture stops as soon as the action is seen.
      toActionFrames: (source) => (isVideo(source) ? videoFrames(source, { count: 100, intervalMs: 100 }) : null),
      passkeys: browserPasskeys,
    },
    opts,
  );
}

export type { BrowserImageSource } from "./image/dom.js";
/** The SDK in a browser: faces from images, canvases, bitmaps or a live <video>. */
export type FaceClient<Source = FaceSource> = BaseFaceClient<Source>;
export type { BrowserFaceClientOptions as FaceClientOptions };
