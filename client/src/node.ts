/**
 * The facegate client SDK for Node (CLI, tests, servers that verify on
 * behalf of a device they trust). Same pipeline and wire protocol as the
 * browser entry, on onnxruntime-web's WASM backend. Sources (NodeFaceSource):
 * a file path or file: URL, encoded JPEG/PNG bytes, or an RGBA image `{data, width, height}`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { webCryptoHpke } from "./api/envelope-webcrypto.js";
import { createFaceClientWith, type FaceClient as BaseFaceClient, type FaceClientOptions } from "./client.js";
import { isRgbaLike } from "./image/dom.js";
import { decodeImage, readImageFile } from "./image/decode-node.js";
import type { RgbaImage } from "./image/types.js";
import type { Frame } from "./pipeline/types.js";
import { loadNodePipeline } from "./pipeline/load/load-node.js";

export * from "./exports.js";
export { MODELS_ID } from "./runtime/models-id.js";

/** What a face can be taken from in Node. */
export type NodeFaceSource = string | URL | Uint8Array | ArrayBuffer | RgbaImage;

/**
 * The models shipped with this package: `models/` beside `dist/` once built
 * and packed (client/scripts copy the repository's models there), the
 * repository's top-level `models/` when run from source.
 */
export const DEFAULT_MODELS_DIR: string = (() => {
  const candidates = ["../models/", "../../models/"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, "manifest.json"))) ?? candidates[0]!;
})();

export interface NodeFaceClientOptions extends FaceClientOptions {
  /** The directory holding manifest.json and the .onnx files; default the models shipped in this package. */
  modelsDir?: string;
  /** WASM threads (default 1; measure before raising it). */
  threads?: number;
}

async function toImage(source: NodeFaceSource): Promise<RgbaImage> {
  if (typeof source === "string") return readImageFile(source);
  if (source instanceof URL) return readImageFile(fileURLToPath(source));
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return decodeImage(source);
  if (isRgbaLike(source)) return source;
  throw new TypeError("a face source in Node is a file path, JPEG/PNG bytes, or {data, width, height} RGBA");
}

export function createFaceClient(opts: NodeFaceClientOptions): FaceClient<NodeFaceSource> {
  return createFaceClientWith<NodeFaceSource>(
    {
      loadPipeline({ provider, pad, onProgress }) {
        return loadNodePipeline({
          // modelsBaseUrl: the name this option had in Node before modelsDir (a directory all along).
          modelsDir: opts.modelsDir ?? opts.modelsBaseUrl ?? DEFAULT_MODELS_DIR,
          threads: opts.threads ?? 1,
          provider,
          pad,
          ...(onProgress ? { onProgress } : {}),
        });
      },
      hpke: webCryptoHpke(),
      toImage,
      toFrames: () => null,
      // Node has no camera: an active challenge takes recorded frames ({image, timestamp} in ms), e.g. from a clip.
      toActionFrames: (source) => (Array.isArray(source) && source.every((f) => f && typeof f === "object" && "image" in f) ? (source as Frame[]) : null),
    },
    opts,
  );
}

/** The SDK in Node: faces from files, bytes or RGBA images. */
export type FaceClient<Source = NodeFaceSource> = BaseFaceClient<Source>;
export type { NodeFaceClientOptions as FaceClientOptions };
