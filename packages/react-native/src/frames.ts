import type { Frame, RgbaImage } from "@facegate/client/core";

/** Byte order of a 4-channel 8-bit frame: vision-camera's `rgb` format is RGBA on Android and BGRA on iOS. */
export type ChannelOrder = "rgba" | "bgra";

export interface RgbaBufferLayout {
  width: number;
  height: number;
  /** Bytes from one row to the next (camera buffers pad their rows). Default `width * 4`. */
  bytesPerRow?: number;
  /** Default `rgba`. */
  order?: ChannelOrder;
  /**
   * Clockwise quarter turns that make the face upright (the detector expects
   * an upright face). A camera delivers frames in its sensor's orientation:
   * derive this from the frame's orientation on your devices.
   */
  rotate?: 0 | 90 | 180 | 270;
  /** Flip left-right after rotating (a front camera's preview is mirrored; the embedding does not care, the pose sign does). */
  mirror?: boolean;
}

/**
 * An RGBA image from a 4-channel 8-bit frame buffer: row padding dropped,
 * BGRA swapped to RGBA, turned upright. The pixels are copied, so the
 * camera's buffer may be reused as soon as this returns. A worklet (the
 * directive lets react-native-worklets-core's Babel plugin run it in a frame
 * processor; elsewhere it is an ordinary function).
 */
export function rgbaFromBuffer(buffer: ArrayBuffer | Uint8Array, layout: RgbaBufferLayout): RgbaImage {
  "worklet";
  const { width, height } = layout;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`frame size ${width}x${height} is not a positive integer size`);
  }
  const stride = layout.bytesPerRow ?? width * 4;
  const src = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (stride < width * 4 || src.length < stride * (height - 1) + width * 4) {
    throw new RangeError(`a ${width}x${height} RGBA frame with ${stride} bytes per row needs ${stride * (height - 1) + width * 4} bytes, got ${src.length}`);
  }
  const rotate = layout.rotate ?? 0;
  const turned = rotate === 90 || rotate === 270;
  const outW = turned ? height : width;
  const outH = turned ? width : height;
  const out = new Uint8ClampedArray(outW * outH * 4);
  const [r, b] = (layout.order ?? "rgba") === "bgra" ? [2, 0] : [0, 2];
  const mirror = layout.mirror ?? false;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // The source pixel that lands on (x, y) after a clockwise turn, then the optional flip.
      const ox = mirror ? outW - 1 - x : x;
      let sx: number;
      let sy: number;
      if (rotate === 90) {
        sx = y;
        sy = height - 1 - ox;
      } else if (rotate === 180) {
        sx = width - 1 - ox;
        sy = height - 1 - y;
      } else if (rotate === 270) {
        sx = width - 1 - y;
        sy = ox;
      } else {
        sx = ox;
        sy = y;
      }
      const i = sy * stride + sx * 4;
      const o = (y * outW + x) * 4;
      out[o] = src[i + r]!;
      out[o + 1] = src[i + 1]!;
      out[o + 2] = src[i + b]!;
      out[o + 3] = 255;
    }
  }
  return { data: out, width: outW, height: outH };
}

/**
 * The part of a react-native-vision-camera `Frame` this adapter reads
 * (written out so that vision-camera stays an optional peer; its Frame
 * satisfies it: examples/react-native type-checks that).
 */
export interface VisionCameraFrameLike {
  readonly width: number;
  readonly height: number;
  readonly bytesPerRow: number;
  readonly pixelFormat: string;
  toArrayBuffer(): ArrayBuffer;
}

/**
 * A vision-camera frame as an RGBA image. The camera must deliver RGB frames
 * (`<Camera pixelFormat="rgb">`); `order` is `bgra` on iOS and `rgba` on
 * Android (vision-camera's PixelFormat docs). Call it in the frame processor
 * (a worklet; it copies the frame, so the copy may leave the worklet through
 * `Worklets.createRunOnJS`), or hand `frame.toArrayBuffer()` to the JS
 * thread and call rgbaFromBuffer there.
 */
export function rgbaFromVisionCameraFrame(
  frame: VisionCameraFrameLike,
  layout: Omit<RgbaBufferLayout, "width" | "height" | "bytesPerRow"> & { order: ChannelOrder },
): RgbaImage {
  "worklet";
  if (frame.pixelFormat !== "rgb") {
    throw new TypeError(`a ${frame.pixelFormat} frame cannot be read as RGBA: give the <Camera> pixelFormat="rgb"`);
  }
  return rgbaFromBuffer(frame.toArrayBuffer(), { ...layout, width: frame.width, height: frame.height, bytesPerRow: frame.bytesPerRow });
}

/** Frames pushed from a camera callback, read by a burst or an active liveness challenge. */
export interface FrameQueue {
  /** Adds a frame (timestamp in ms; default now). Beyond `capacity` unread frames the oldest is dropped. */
  push(image: RgbaImage, timestampMs?: number): void;
  /** Ends the stream: a reader waiting for a frame gets none. */
  close(): void;
  /** The source to pass to enroll/verify/embed: `{ frames }`. */
  readonly frames: AsyncIterable<Frame>;
}

/**
 * A live source for the client: the camera pushes (from the frame processor,
 * through the worklet runtime's runOnJS), the pipeline reads at its own pace.
 * Frames that arrive while the pipeline is busy queue up to `capacity`.
 */
export function createFrameQueue(opts: { capacity?: number } = {}): FrameQueue {
  const capacity = opts.capacity ?? 10;
  const items: Frame[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  async function* read(): AsyncGenerator<Frame> {
    for (;;) {
      const next = items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (closed) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    push(image, timestampMs = Date.now()) {
      if (closed) return;
      items.push({ image, timestamp: timestampMs });
      if (items.length > capacity) items.shift();
      notify();
    },
    close() {
      closed = true;
      notify();
    },
    frames: { [Symbol.asyncIterator]: () => read() },
  };
}
