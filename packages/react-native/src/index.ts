/**
 * facegate for React Native: the @facegate/client pipeline, typed API and
 * errors (`@facegate/client/core`) on onnxruntime-react-native, with the
 * models from the app bundle and envelopes sealed by the noble HPKE suite
 * (Hermes has no WebCrypto). docs/MOBILE.md is the guide.
 *
 *   import "react-native-get-random-values"; // first: crypto.getRandomValues for the envelope
 *   const client = createFaceClient({ baseUrl, getToken, models: { manifest, read } });
 *   const { match } = await client.verify("alice", rgbaFromVisionCameraFrame(frame, { order: "bgra" }));
 *
 * Sources (ReactNativeFaceSource): an RGBA image `{data, width, height}`
 * (rgbaFromBuffer, rgbaFromVisionCameraFrame), or `{ frames }` of a
 * FrameQueue for a burst or an active liveness challenge.
 */
import {
  createFaceClientWith,
  FacePipeline,
  parseManifest,
  type FaceClient,
  type FaceClientOptions,
  type Frame,
  type Ort,
  type RandomBytes,
  type RgbaImage,
} from "@facegate/client/core";
import { createNobleHpke } from "../../../src/protocol/hpke/index.js";
import { bundleModelSource, nobleSha256Hex, type BundledModels } from "./models.js";
import { reactNativePlatform } from "./ort-react-native.js";

export * from "@facegate/client/core";
export { createNobleHpke } from "../../../src/protocol/hpke/index.js";
export { bundleModelSource, nobleSha256Hex, type BundledModels } from "./models.js";
export { reactNativeOrt, reactNativePlatform } from "./ort-react-native.js";
export {
  createFrameQueue,
  rgbaFromBuffer,
  rgbaFromVisionCameraFrame,
  type ChannelOrder,
  type FrameQueue,
  type RgbaBufferLayout,
  type VisionCameraFrameLike,
} from "./frames.js";

/** A live source: frames from a FrameQueue (or any iterable of frames), for a burst or an active challenge. */
export interface LiveFrames {
  readonly frames: AsyncIterable<Frame> | Iterable<Frame>;
}

/** What a face can be taken from in React Native. */
export type ReactNativeFaceSource = RgbaImage | LiveFrames;

export interface ReactNativeFaceClientOptions extends Omit<FaceClientOptions, "modelsBaseUrl"> {
  /** The models in the app bundle (manifest and a reader), checked by sha256 before use. */
  models: BundledModels;
  /**
   * Random bytes for the envelope's ephemeral key. Default
   * `crypto.getRandomValues`, which `react-native-get-random-values` installs
   * (import it first thing in the app); sealing throws without one.
   */
  randomBytes?: RandomBytes;
  /** The ONNX Runtime namespace; default onnxruntime-react-native's. */
  ort?: Ort;
}

function isLive(source: ReactNativeFaceSource): source is LiveFrames {
  return typeof source === "object" && source !== null && "frames" in source;
}

function isRgba(source: unknown): source is RgbaImage {
  const s = source as Partial<RgbaImage> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    (s.data instanceof Uint8Array || s.data instanceof Uint8ClampedArray) &&
    Number.isInteger(s.width) &&
    Number.isInteger(s.height)
  );
}

async function* asAsync(frames: AsyncIterable<Frame> | Iterable<Frame>): AsyncGenerator<Frame> {
  for await (const f of frames) yield f;
}

export function createFaceClient(opts: ReactNativeFaceClientOptions): FaceClient<ReactNativeFaceSource> {
  const platform = reactNativePlatform(opts.ort);
  return createFaceClientWith<ReactNativeFaceSource>(
    {
      async loadPipeline({ provider, pad, onProgress }) {
        return FacePipeline.load({
          platform,
          manifest: parseManifest(opts.models.manifest),
          source: bundleModelSource(opts.models),
          sha256: nobleSha256Hex,
          provider,
          pad,
          ...(onProgress ? { onProgress } : {}),
        });
      },
      async toImage(source) {
        if (isRgba(source)) return source;
        if (isLive(source)) {
          for await (const f of source.frames) return f.image;
          throw new TypeError("the frame source ended before a frame arrived");
        }
        throw new TypeError("a face source in React Native is an RGBA image {data, width, height} or { frames }");
      },
      toFrames: (source) => (isLive(source) ? asAsync(source.frames) : null),
      toActionFrames: (source) => (isLive(source) ? source.frames : null),
      hpke: createNobleHpke(opts.randomBytes ? { randomBytes: opts.randomBytes } : {}),
    },
    opts,
  );
}

/** The SDK in React Native: faces from RGBA images or live frames. */
export type { FaceClient };
