/**
 * The facegate client SDK for Node (CLI, tests, servers that verify on
 * behalf of a device they trust). Same pipeline and wire protocol as the
 * browser entry, on onnxruntime-web's WASM backend. Sources: a file path,
 * encoded JPEG/PNG bytes, or an RGBA image `{data, width, height}`.
 */
import { fileURLToPath } from "node:url";
import { createFaceClientWith, type FaceClient, type FaceClientOptions } from "./client.js";
import { isRgbaLike } from "./image/dom.js";
import { decodeImage, readImageFile } from "./image/decode-node.js";
import type { RgbaImage } from "./image/types.js";
import type { Frame } from "./pipeline/types.js";
import { loadNodePipeline } from "./pipeline/load-node.js";

export * from "./exports.js";

/** The repository's models/ directory (the SDK ships its models). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

export interface NodeFaceClientOptions extends FaceClientOptions {
  /** WASM threads (default 1; measure before raising it). */
  threads?: number;
}

async function toImage(source: unknown): Promise<RgbaImage> {
  if (typeof source === "string") return readImageFile(source);
  if (source instanceof URL) return readImageFile(fileURLToPath(source));
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return decodeImage(source);
  if (isRgbaLike(source)) return source;
  throw new TypeError("a face source in Node is a file path, JPEG/PNG bytes, or {data, width, height} RGBA");
}

export function createFaceClient(opts: NodeFaceClientOptions): FaceClient {
  return createFaceClientWith(
    {
      loadPipeline({ provider, pad, onProgress }) {
        return loadNodePipeline({
          modelsDir: opts.modelsBaseUrl ?? DEFAULT_MODELS_DIR,
          threads: opts.threads ?? 1,
          provider,
          pad,
          ...(onProgress ? { onProgress } : {}),
        });
      },
      toImage,
      toFrames: () => null,
      // Node has no camera: an active challenge takes recorded frames ({image, timestamp} in ms), e.g. from a clip.
      toActionFrames: (source) => (Array.isArray(source) && source.every((f) => f && typeof f === "object" && "image" in f) ? (source as Frame[]) : null),
    },
    opts,
  );
}

export type { FaceClient, NodeFaceClientOptions as FaceClientOptions };
