import type { RgbaImage } from "../../image/types.js";
import { lineMean } from "../../image/line-mean.js";
import { luma } from "../../image/luma.js";
import { INNER } from "./quality.js";

/**
 * Motion blur (a shake, a moving subject) smears the face along one
 * direction only, and the JPEG a camera writes afterwards adds blocking
 * that makes the crop measure sharp to the Laplacian (quality.ts), so the
 * isotropic unsharp mask of soft crops (sharpen.ts) never sees it, and
 * sharpening every direction amplifies the blocking with the detail. This
 * step finds the one direction where the crop has lost its fine detail and
 * undoes a short linear blur along that direction only (1-D Richardson-Lucy).
 */
export interface DeblurPolicy {
  /**
   * Deblur when, in the direction of least fine detail, the ratio of fine (1 px) to coarse (3 px)
   * difference energy is below this; 0 = never.
   */
  belowDetailRatio: number;
  /** ... and that ratio is below this fraction of the ratio across that direction (the blur is directional). */
  belowAnisotropy: number;
  /** Length of the linear blur undone, in aligned-crop pixels. */
  length: number;
  /** Richardson-Lucy iterations. */
  iterations: number;
}

/**
 * Set on LFW DevTrain: the detail ratio limit lies just below that of every clean DevTrain photo
 * (lowest 0.1485 among those that are also anisotropic), so no DevTrain photo is deblurred and the
 * calibration is unchanged; length and iterations were chosen on motion-blurred DevTrain probes.
 * The measurements: docs/ACCURACY.md, "What changed in the pipeline".
 */
export const DEFAULT_DEBLUR: DeblurPolicy = { belowDetailRatio: 0.148, belowAnisotropy: 0.96, length: 6, iterations: 10 };

/** Directions examined, over 180°. */
const DIRECTIONS = 12;
const FAR = 3;

export interface MotionEstimate {
  /** Direction of least fine detail, radians from the x axis (y down), in [0, π). */
  theta: number;
  /** Fine-to-coarse detail ratio in that direction. */
  ratio: number;
  /** That ratio over the ratio in the perpendicular direction (1 = isotropic). */
  anisotropy: number;
}

/**
 * For each of 12 directions, the energy of 1 px differences of the luma over
 * the inner face against that of 3 px differences: smooth image structure
 * gives similar values in every direction, and a blur along one direction
 * lowers that direction's. Cheap (about 170k bilinear samples), no allocation
 * beyond one luma plane.
 */
export function estimateMotion(crop: RgbaImage, scratch?: Float32Array): MotionEstimate {
  const w = crop.width;
  const h = crop.height;
  const d = crop.data;
  const g = scratch && scratch.length >= w * h ? scratch : new Float32Array(w * h);
  for (let i = 0, n = w * h; i < n; i++) g[i] = luma(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!);
  const at = (x: number, y: number) => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const i = y0 * w + x0;
    return (1 - fx) * (1 - fy) * g[i]! + fx * (1 - fy) * g[i + 1]! + (1 - fx) * fy * g[i + w]! + fx * fy * g[i + w + 1]!;
  };
  const r = new Float64Array(DIRECTIONS);
  for (let k = 0; k < DIRECTIONS; k++) {
    const th = (Math.PI * k) / DIRECTIONS;
    const dx = Math.cos(th);
    const dy = Math.sin(th);
    let fine = 0;
    let coarse = 0;
    for (let y = INNER.y0; y < INNER.y1; y++) {
      for (let x = INNER.x0; x < INNER.x1; x++) {
        const a = at(x + dx, y + dy) - at(x - dx, y - dy);
        const b = at(x + FAR * dx, y + FAR * dy) - at(x - FAR * dx, y - FAR * dy);
        fine += a * a;
        coarse += b * b;
      }
    }
    r[k] = coarse > 0 ? fine / coarse : 1;
  }
  let kmin = 0;
  for (let k = 1; k < DIRECTIONS; k++) if (r[k]! < r[kmin]!) kmin = k;
  // Parabolic refinement between the neighbouring directions (the ratios are periodic over 180°).
  const rm = r[(kmin + DIRECTIONS - 1) % DIRECTIONS]!;
  const r0 = r[kmin]!;
  const rp = r[(kmin + 1) % DIRECTIONS]!;
  const den = rm - 2 * r0 + rp;
  const off = den > 0 ? (0.5 * (rm - rp)) / den : 0;
  return { theta: (Math.PI * (kmin + off)) / DIRECTIONS, ratio: r0, anisotropy: r0 / r[(kmin + DIRECTIONS / 2) % DIRECTIONS]! };
}

/** Whether the policy deblurs a crop with this estimate. */
export function isMotionBlurred(m: MotionEstimate, policy: DeblurPolicy): boolean {
  return m.ratio < policy.belowDetailRatio && m.anisotropy < policy.belowAnisotropy;
}

/**
 * Richardson-Lucy deconvolution of a linear blur of `length` px along `theta`, R, G, B
 * (alpha kept), into `out`. Multiplicative updates keep values positive and do not ring the
 * way a Wiener filter does at the crop's edges; the point spread function is symmetric,
 * so it is its own adjoint. Deterministic: the same crop gives the same bytes.
 */
export function deblurLinear(
  img: RgbaImage,
  theta: number,
  length: number,
  iterations: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(img.data.length),
): RgbaImage {
  const { width: w, height: h, data: d } = img;
  const n = w * h * 4;
  const dx = Math.cos(theta);
  const dy = Math.sin(theta);
  // +1 keeps black pixels out of the division.
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = d[i]! + 1;
  const x = Float32Array.from(y);
  const hx = new Float32Array(n);
  const ratio = new Float32Array(n);
  const back = new Float32Array(n);
  for (let it = 0; it < iterations; it++) {
    lineMean(x, w, h, dx, dy, length, hx);
    for (let i = 0; i < n; i++) ratio[i] = y[i]! / Math.max(hx[i]!, 1e-3);
    lineMean(ratio, w, h, dx, dy, length, back);
    // Elementwise, so in place: hx and back were computed from x before it changes.
    for (let i = 0; i < n; i++) x[i] = (i & 3) === 3 ? y[i]! : x[i]! * back[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = (i & 3) === 3 ? d[i]! : x[i]! - 1;
  return { data: out, width: w, height: h };
}
