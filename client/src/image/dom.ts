import type { RgbaImage } from "./types.js";

/**
 * Browser image sources to RgbaImage. DOM-only: nothing here runs at import
 * time, and every global is checked with `typeof` first, so importing this
 * module in Node (or a worker without DOM) is harmless; only calling it with
 * a DOM object needs a browser.
 *
 * Drawing onto a canvas at the capped size lets the browser do the shrink
 * (GPU-backed, filtered), which is far cheaper than decoding a full-size
 * photo and shrinking it in JavaScript.
 */
export type BrowserImageSource = ImageData | ImageBitmap | HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas;

export interface DomImageOptions {
  /** Longer side of the result; larger sources are drawn scaled down. Default 2048. */
  maxSide?: number;
}

/** Anything with RGBA `data`, `width` and `height` (ImageData or our own type). */
export function isRgbaLike(x: unknown): x is RgbaImage {
  if (typeof x !== "object" || x === null) return false;
  const o = x as { data?: unknown; width?: unknown; height?: unknown };
  return (
    (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array) &&
    typeof o.width === "number" &&
    typeof o.height === "number" &&
    o.data.length === o.width * o.height * 4
  );
}

function intrinsicSize(src: Exclude<BrowserImageSource, ImageData>): { width: number; height: number } {
  if (typeof HTMLImageElement !== "undefined" && src instanceof HTMLImageElement) {
    return { width: src.naturalWidth, height: src.naturalHeight };
  }
  if (typeof HTMLVideoElement !== "undefined" && src instanceof HTMLVideoElement) {
    return { width: src.videoWidth, height: src.videoHeight };
  }
  return { width: src.width, height: src.height };
}

async function ready(src: Exclude<BrowserImageSource, ImageData>): Promise<void> {
  if (typeof HTMLImageElement !== "undefined" && src instanceof HTMLImageElement) {
    if (!src.complete || src.naturalWidth === 0) await src.decode();
    return;
  }
  if (typeof HTMLVideoElement !== "undefined" && src instanceof HTMLVideoElement) {
    // HAVE_CURRENT_DATA: a frame is available to draw.
    if (src.readyState < 2) {
      await new Promise<void>((resolve, reject) => {
        src.addEventListener("loadeddata", () => resolve(), { once: true });
        src.addEventListener("error", () => reject(new Error("video failed to load")), { once: true });
      });
    }
  }
}

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function makeContext(width: number, height: number): Ctx2D {
  const settings: CanvasRenderingContext2DSettings = { willReadFrequently: true, alpha: false };
  if (typeof OffscreenCanvas !== "undefined") {
    const ctx = new OffscreenCanvas(width, height).getContext("2d", settings);
    if (ctx) return ctx;
  }
  if (typeof document !== "undefined") {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", settings);
    if (ctx) return ctx;
  }
  throw new Error("no 2D canvas available to read pixels from this source");
}

/**
 * Read the pixels of a browser image source (the current frame for a video).
 * ImageData and other RGBA-like objects are returned as they are.
 */
export async function rgbaFromBrowserSource(src: BrowserImageSource | RgbaImage, opts: DomImageOptions = {}): Promise<RgbaImage> {
  if (isRgbaLike(src)) return src;
  const source = src as Exclude<BrowserImageSource, ImageData>;
  await ready(source);
  const { width, height } = intrinsicSize(source);
  if (!width || !height) throw new Error("image source has no pixels yet");
  const maxSide = opts.maxSide ?? 2048;
  const s = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * s));
  const h = Math.max(1, Math.round(height * s));
  const ctx = makeContext(w, h);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, w, h);
  const data = ctx.getImageData(0, 0, w, h);
  return { data: data.data, width: w, height: h };
}

export interface VideoFramesOptions extends DomImageOptions {
  /** Frames to grab. Default 8 (the pipeline keeps the best 5 within ~1 s). */
  count?: number;
  /** Time between grabs in ms. Default 150. */
  intervalMs?: number;
}

/**
 * Grab frames from a playing <video> (a camera stream) for
 * FacePipeline.analyzeBurst, each stamped with the time it was read. Lazy:
 * the next frame is read when the pipeline asks for it, so slow analysis
 * spaces the frames out rather than queueing stale ones.
 */
export async function* videoFrames(video: HTMLVideoElement, opts: VideoFramesOptions = {}): AsyncGenerator<{ image: RgbaImage; timestamp: number }> {
  const count = opts.count ?? 8;
  const interval = opts.intervalMs ?? 150;
  let last = -Infinity;
  for (let i = 0; i < count; i++) {
    const wait = last + interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    last = performance.now();
    yield { image: await rgbaFromBrowserSource(video, opts), timestamp: last };
  }
}
