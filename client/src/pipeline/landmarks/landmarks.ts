import { resampleRegion, ResampleScratch, type Region } from "../../image/resample.js";
import { luma } from "../../image/luma.js";
import type { RgbaImage } from "../../image/types.js";
import { ModelSession } from "../../runtime/session.js";
import type { Box } from "../types.js";

export interface LandmarkConfig {
  /** Model input side (fr_landmark: 64, grey). */
  size: number;
  /**
   * Side of the square crop as a multiple of the detector box height. The
   * package squares the box with its height (1.0), centred on the box.
   */
  cropScale: number;
  /** Grey input = luma * inputScale (the package: / 256). */
  inputScale: number;
  /**
   * Crops reaching past the image: `shift` moves the square back inside (the
   * package's behaviour), `replicate` keeps it centred and repeats edge pixels.
   */
  placement: "shift" | "replicate";
  /**
   * Extra passes that re-centre the crop (same side) on the mean of the
   * previous pass's 68 points and re-run the model: the second pass sees the
   * face where the first found it rather than where the detector box put it.
   */
  refinePasses: number;
  /**
   * Also run the mirrored crop, mirror its points back (with the left/right
   * index permutation) and average: halves the variance of independent
   * landmark noise for one more model run.
   */
  flipAverage: boolean;
}

/** iBUG 68-point index of each point's mirror image (left/right swapped). */
export const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pairs: [number, number][] = [
    [17, 26],
    [18, 25],
    [19, 24],
    [20, 23],
    [21, 22], // eyebrows
    [31, 35],
    [32, 34], // nostrils
    [36, 45],
    [37, 44],
    [38, 43],
    [39, 42],
    [40, 47],
    [41, 46], // eyes
    [48, 54],
    [49, 53],
    [50, 52],
    [55, 59],
    [56, 58], // outer lips
    [60, 64],
    [61, 63],
    [65, 67], // inner lips
  ];
  for (let i = 0; i <= 16; i++) m[i] = 16 - i; // jaw line
  for (const [a, b] of pairs) {
    m[a] = b;
    m[b] = a;
  }
  return m;
})();

/**
 * 68-point landmarks from a square grey crop around the detector box. Output:
 * 136 numbers, (x, y) pairs in continuous source-image coordinates.
 */
export class LandmarkModel {
  readonly #input: Float32Array;
  readonly #pixels: Uint8ClampedArray;
  readonly #scratch = new ResampleScratch();

  constructor(
    readonly session: ModelSession,
    readonly config: LandmarkConfig,
  ) {
    this.#input = new Float32Array(config.size * config.size);
    this.#pixels = new Uint8ClampedArray(config.size * config.size * 4);
  }

  /** The square crop for a detector box (exposed for tools and tests). */
  cropFor(img: RgbaImage, box: Box): Region {
    const side = box.height * this.config.cropScale;
    return this.#place(img, box.x + box.width / 2, box.y + box.height / 2, side);
  }

  async predict(img: RgbaImage, box: Box): Promise<Float32Array> {
    let region = this.cropFor(img, box);
    let pts = await this.#run(img, region);
    for (let pass = 0; pass < this.config.refinePasses; pass++) {
      let mx = 0;
      let my = 0;
      for (let i = 0; i < 68; i++) {
        mx += pts[2 * i]!;
        my += pts[2 * i + 1]!;
      }
      mx /= 68;
      my /= 68;
      region = this.#place(img, mx, my, region.width);
      pts = await this.#run(img, region);
    }
    return pts;
  }

  #place(img: RgbaImage, cx: number, cy: number, side: number): Region {
    let x = cx - side / 2;
    let y = cy - side / 2;
    if (this.config.placement === "shift") {
      const s = Math.min(side, img.width, img.height);
      x = cx - s / 2;
      y = cy - s / 2;
      x = Math.min(Math.max(0, x), img.width - s);
      y = Math.min(Math.max(0, y), img.height - s);
      return { x, y, width: s, height: s };
    }
    return { x, y, width: side, height: side };
  }

  async #run(img: RgbaImage, region: Region): Promise<Float32Array> {
    const n = this.config.size;
    const crop = resampleRegion(img, region, n, n, this.#pixels, this.#scratch);
    const px = crop.data;
    const k = this.config.inputScale;
    for (let i = 0, p = 0; i < n * n; i++, p += 4) {
      this.#input[i] = luma(px[p]!, px[p + 1]!, px[p + 2]!) * k;
    }
    const raw = new Float32Array(await this.#infer());
    if (this.config.flipAverage) {
      const input = this.#input;
      for (let y = 0; y < n; y++) input.subarray(y * n, (y + 1) * n).reverse();
      const mirrored = await this.#infer();
      for (let i = 0; i < 68; i++) {
        const j = MIRROR_68[i]!;
        raw[2 * i] = (raw[2 * i]! + 1 - mirrored[2 * j]!) / 2;
        raw[2 * i + 1] = (raw[2 * i + 1]! + mirrored[2 * j + 1]!) / 2;
      }
    }
    const pts = new Float32Array(136);
    for (let i = 0; i < 68; i++) {
      pts[2 * i] = region.x + raw[2 * i]! * region.width;
      pts[2 * i + 1] = region.y + raw[2 * i + 1]! * region.height;
    }
    return pts;
  }

  async #infer(): Promise<Float32Array> {
    const n = this.config.size;
    const name = this.session.entry.inputs[0]!.name;
    const out = await this.session.run({ [name]: this.session.tensor(this.#input, [1, 1, n, n]) });
    return ModelSession.floats(out, this.session.entry.outputs[0]!.name);
  }
}
