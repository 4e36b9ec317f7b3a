import { resampleRegion, ResampleScratch, type Region } from "../image/resample.js";
import type { RgbaImage } from "../image/types.js";
import { ModelSession } from "../runtime/session.js";
import type { ChannelOrder } from "./detect.js";
import type { Box, LivenessReport } from "./types.js";

/**
 * The package's liveness model, as an ADVISORY signal only. What its three
 * classes mean is not documented. On 3,443 LFW photos of real people (none
 * is a presentation attack) the first two classes split 47/53 with the
 * package's RGB feed and 70/30 with BGR; the third class stays below 0.06.
 * A model that cannot agree with itself about ordinary bona fide photos is
 * not presentation-attack detection, and a browser without depth or IR
 * sensors cannot certify liveness anyway. It has not been evaluated on
 * attack data. See LivenessConfig.liveClass for which class is reported.
 */
export interface LivenessConfig {
  /** Model input side (fr_liveness: 128). */
  size: number;
  /** Context around the face: crop side = box height x cropScale, fitted inside the image (package: 2.7). */
  cropScale: number;
  channelOrder: ChannelOrder;
  /** Input = (pixel - mean) / std; the package feeds raw 0-255 (mean 0, std 1). */
  mean: number;
  std: number;
  /** Index of the class reported as `live` (provisional: the class the package reports). */
  liveClass: 0 | 1 | 2;
}

export class LivenessModel {
  readonly #input: Float32Array;
  readonly #pixels: Uint8ClampedArray;
  readonly #scratch = new ResampleScratch();

  constructor(
    readonly session: ModelSession,
    readonly config: LivenessConfig,
  ) {
    this.#input = new Float32Array(3 * config.size * config.size);
    this.#pixels = new Uint8ClampedArray(config.size * config.size * 4);
  }

  /**
   * The package's crop: the height-squared face box enlarged `cropScale`
   * times about its centre, but never larger than the image, then moved
   * inside it.
   */
  cropFor(img: RgbaImage, box: Box): Region {
    const side0 = box.height;
    const k = Math.min((img.height - 1) / side0, (img.width - 1) / side0, this.config.cropScale);
    const side = side0 * k;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const x = Math.min(Math.max(0, cx - side / 2), img.width - side);
    const y = Math.min(Math.max(0, cy - side / 2), img.height - side);
    return { x, y, width: side, height: side };
  }

  async check(img: RgbaImage, box: Box): Promise<LivenessReport> {
    const n = this.config.size;
    const crop = resampleRegion(img, this.cropFor(img, box), n, n, this.#pixels, this.#scratch);
    const plane = n * n;
    const [r, b] = this.config.channelOrder === "rgb" ? [0, 2] : [2, 0];
    const { mean, std } = this.config;
    const px = crop.data;
    for (let i = 0, p = 0; i < plane; i++, p += 4) {
      this.#input[r * plane + i] = (px[p]! - mean) / std;
      this.#input[plane + i] = (px[p + 1]! - mean) / std;
      this.#input[b * plane + i] = (px[p + 2]! - mean) / std;
    }
    const name = this.session.entry.inputs[0]!.name;
    const out = await this.session.run({ [name]: this.session.tensor(this.#input, [1, 3, n, n]) });
    const z = ModelSession.floats(out, this.session.entry.outputs[0]!.name);
    const probabilities = softmax3(z);
    return { probabilities, live: probabilities[this.config.liveClass] };
  }
}

function softmax3(z: Float32Array): [number, number, number] {
  const m = Math.max(z[0]!, z[1]!, z[2]!);
  const e0 = Math.exp(z[0]! - m);
  const e1 = Math.exp(z[1]! - m);
  const e2 = Math.exp(z[2]! - m);
  const s = e0 + e1 + e2;
  return [e0 / s, e1 / s, e2 / s];
}
