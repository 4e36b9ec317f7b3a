import { resampleRegion, ResampleScratch } from "../../image/resample.js";
import type { RgbaImage } from "../../image/types.js";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import { estimateSimilarity, invertAffine, similarityScale, type Affine } from "./similarity.js";
import type { Point } from "../types.js";
import { warpAffine } from "./warp.js";

export interface AlignConfig {
  /** Output side (the embedding model's 112). */
  size: number;
  /**
   * Reference positions, in output pixel-index coordinates, of the points
   * passed to `align` (same count and order): the five ArcFace points by default.
   */
  reference: readonly Point[];
  /**
   * Shrink the face region with an area filter before the bilinear warp when
   * the warp would minify by more than this factor (source pixels per output
   * pixel). Bilinear sampling alone aliases a large face (say a 300 px
   * inter-ocular distance from a phone photo, ~8 source pixels per output
   * pixel). Infinity disables it.
   */
  antiAliasAbove: number;
}

export const DEFAULT_ALIGN: AlignConfig = { size: 112, reference: ARCFACE_112, antiAliasAbove: 1.5 };

export interface Aligned {
  image: RgbaImage;
  /** Source (continuous coordinates) to aligned crop (pixel index) transform. */
  transform: Affine;
  /** Fraction of the crop that came from outside the source image. */
  outside: number;
}

/**
 * Similarity-align a face to the reference (least squares over the points,
 * see similarity.ts) and warp it into a size x size RGBA crop.
 * `points` are in continuous source coordinates (pixel i spans [i, i+1)).
 */
export class FaceAligner {
  readonly #scratch = new ResampleScratch();
  readonly #out: Uint8ClampedArray;
  readonly #small: { data: Uint8ClampedArray } = { data: new Uint8ClampedArray(0) };

  constructor(readonly config: AlignConfig = DEFAULT_ALIGN) {
    this.#out = new Uint8ClampedArray(config.size * config.size * 4);
  }

  align(img: RgbaImage, points: readonly Point[], out: Uint8ClampedArray = this.#out): Aligned {
    const n = this.config.size;
    // Landmarks are continuous; the reference is in pixel-index coordinates.
    const src: Point[] = points.map((p) => ({ x: p.x - 0.5, y: p.y - 0.5 }));
    const toCropIdx = estimateSimilarity(src, this.config.reference);
    const transform: Affine = { ...toCropIdx, c: toCropIdx.c - 0.5 * (toCropIdx.a + toCropIdx.b), f: toCropIdx.f - 0.5 * (toCropIdx.d + toCropIdx.e) };
    const minify = 1 / similarityScale(toCropIdx);
    let toSource = invertAffine(toCropIdx);

    if (minify > this.config.antiAliasAbove) {
      // Source footprint of the crop, clipped to the image, shrunk by an integer-free
      // factor so that one output pixel covers about one pixel of the shrunk region.
      const corners = [
        [0, 0],
        [n - 1, 0],
        [0, n - 1],
        [n - 1, n - 1],
      ].map(([u, v]) => ({ x: toSource.a * u! + toSource.b * v! + toSource.c, y: toSource.d * u! + toSource.e * v! + toSource.f }));
      const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x)) - 1));
      const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y)) - 1));
      const x1 = Math.min(img.width, Math.ceil(Math.max(...corners.map((p) => p.x)) + 2));
      const y1 = Math.min(img.height, Math.ceil(Math.max(...corners.map((p) => p.y)) + 2));
      if (x1 - x0 >= 2 && y1 - y0 >= 2) {
        const w = Math.max(2, Math.round((x1 - x0) / minify));
        const h = Math.max(2, Math.round((y1 - y0) / minify));
        if (this.#small.data.length < w * h * 4) this.#small.data = new Uint8ClampedArray(w * h * 4);
        const small = resampleRegion(img, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, w, h, this.#small.data, this.#scratch);
        // Index coords in the small image: (X - x0 + 0.5) * w / (x1 - x0) - 0.5.
        const kx = w / (x1 - x0);
        const ky = h / (y1 - y0);
        const ox = (0.5 - x0) * kx - 0.5;
        const oy = (0.5 - y0) * ky - 0.5;
        toSource = {
          a: toSource.a * kx,
          b: toSource.b * kx,
          c: toSource.c * kx + ox,
          d: toSource.d * ky,
          e: toSource.e * ky,
          f: toSource.f * ky + oy,
        };
        const { image } = warpAffine(small, toSource, n, n, out);
        // The shrunk region is clipped to the image, so count "outside" on the full image.
        return { image, transform, outside: outsideFraction(img, invertAffine(toCropIdx), n) };
      }
    }
    const { image, outside } = warpAffine(img, toSource, n, n, out);
    return { image, transform, outside };
  }
}

/** Fraction of crop pixels whose source point is outside the image. */
function outsideFraction(img: RgbaImage, toSource: Affine, n: number): number {
  let count = 0;
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      const x = toSource.a * u + toSource.b * v + toSource.c;
      const y = toSource.d * u + toSource.e * v + toSource.f;
      if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) count++;
    }
  }
  return count / (n * n);
}
