import type { RgbaImage } from "../../image/types.js";
import { ModelSession } from "../../runtime/session.js";
import type { ChannelOrder } from "../detect/detect.js";

export interface EmbedConfig {
  /** Input side (fr_feature: 112). */
  size: number;
  channelOrder: ChannelOrder;
  /** Input = (pixel - mean) / std. */
  mean: number;
  std: number;
  /**
   * Flip test-time augmentation: also embed the mirrored crop and add the
   * two vectors before normalising. Costs a second model run.
   */
  flip: boolean;
}

/** L2-normalise in place; returns the vector. */
export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i]! *= k;
  return v;
}

/** Aligned 112x112 crop to an L2-normalised embedding. */
export class Embedder {
  readonly #input: Float32Array;

  constructor(
    readonly session: ModelSession,
    readonly config: EmbedConfig,
  ) {
    this.#input = new Float32Array(3 * config.size * config.size);
  }

  get dim(): number {
    const dim = this.session.entry.outputs[0]!.shape.at(-1);
    if (typeof dim !== "number") throw new TypeError(`${this.session.id}: the manifest gives no fixed embedding size`);
    return dim;
  }

  async embed(aligned: RgbaImage): Promise<Float32Array> {
    const v = await this.#run(aligned, false);
    if (this.config.flip) {
      const m = await this.#run(aligned, true);
      for (let i = 0; i < v.length; i++) v[i]! += m[i]!;
    }
    return l2normalise(v);
  }

  async #run(aligned: RgbaImage, mirrored: boolean): Promise<Float32Array> {
    const n = this.config.size;
    if (aligned.width !== n || aligned.height !== n) throw new RangeError(`aligned crop must be ${n}x${n}`);
    const plane = n * n;
    const input = this.#input;
    const inv = 1 / this.config.std;
    const mean = this.config.mean;
    const [r, b] = this.config.channelOrder === "rgb" ? [0, 2] : [2, 0];
    const px = aligned.data;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const p = (y * n + (mirrored ? n - 1 - x : x)) * 4;
        const o = y * n + x;
        input[r * plane + o] = (px[p]! - mean) * inv;
        input[plane + o] = (px[p + 1]! - mean) * inv;
        input[b * plane + o] = (px[p + 2]! - mean) * inv;
      }
    }
    const name = this.session.entry.inputs[0]!.name;
    const out = await this.session.run({ [name]: this.session.tensor(input, [1, 3, n, n]) });
    // Copy: ORT may reuse its output buffer on the next run.
    return new Float32Array(ModelSession.floats(out, this.session.entry.outputs[0]!.name));
  }
}
