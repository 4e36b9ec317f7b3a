/**
 * The facegate client SDK for browsers: the face pipeline on WebGPU or WASM
 * (onnxruntime-web), HPKE envelopes, and the typed API client.
 *
 *   const client = createFaceClient({ baseUrl, getToken });
 *   await client.loadModels({ onProgress });
 *   const { match, assertion } = await client.verify("alice", videoElement, { loginNonce });
 *
 * Sources: ImageData-like `{data, width, height}` (RGBA), ImageBitmap,
 * HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, or HTMLVideoElement
 * (a live camera: a short burst of frames is analysed and fused).
 */
import { createFaceClientWith, type FaceClient, type FaceClientOptions } from "./client.js";
import { rgbaFromBrowserSource, videoFrames, type BrowserImageSource } from "./image/dom.js";
import { loadBrowserPipeline } from "./pipeline/load-browser.js";
import type { BurstOptions, Frame } from "./pipeline/types.js";

export * from "./exports.js";

export interface BrowserFaceClientOptions extends FaceClientOptions {
  /** Where ONNX Runtime's .wasm/.mjs files are served (same origin for cross-origin isolation). */
  wasmPaths?: string;
  /** WASM threads (used only when the page is cross-origin isolated). */
  threads?: number;
  /** Keep downloaded models in the Cache API. Default true. */
  cacheModels?: boolean;
}

function isVideo(source: unknown): source is HTMLVideoElement {
  return typeof HTMLVideoElement !== "undefined" && source instanceof HTMLVideoElement;
}

/** Frames from a playing video, spaced so that `maxFrames` fall within `windowMs`. */
function burstFrames(video: HTMLVideoElement, burst: BurstOptions): AsyncIterable<Frame> {
  const maxFrames = burst.maxFrames ?? 5;
  // Up to 3x the frames we need: bad frames (a blink, motion blur) are skipped.
  return videoFrames(video, { count: maxFrames * 3, intervalMs: (burst.windowMs ?? 1000) / maxFrames });
}

export function createFaceClient(opts: BrowserFaceClientOptions): FaceClient {
  const modelsBaseUrl = opts.modelsBaseUrl ?? new URL("/models/", opts.baseUrl).toString();
  return createFaceClientWith(
    {
      loadPipeline({ provider, pad, onProgress }) {
        return loadBrowserPipeline({
          modelsBaseUrl,
          provider,
          pad,
          ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}),
          ...(opts.threads ? { threads: opts.threads } : {}),
          ...(opts.cacheModels === false ? { cache: false } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
      },
      toImage: (source) => rgbaFromBrowserSource(source as BrowserImageSource),
      toFrames: (source, burst) => (isVideo(source) ? burstFrames(source, burst) : null),
      // About 10 frames a second for up to 10 s: the capture stops as soon as the action is seen.
      toActionFrames: (source) => (isVideo(source) ? videoFrames(source, { count: 100, intervalMs: 100 }) : null),
    },
    opts,
  );
}

export type { FaceClient, BrowserFaceClientOptions as FaceClientOptions };
