/**
 * Prior (anchor) boxes of the UltraFace-style detector and their decoding.
 *
 * The package's model decoded its regressions in the graph against priors
 * baked in for 320x240; models/fr_detect.onnx is derived to output the raw
 * regressions instead (scripts/models/derive-detector.ts) so that it runs at
 * any input size, and these priors are generated for the size that ran.
 * Reverse-engineered from the original graph's constants, and checked
 * against them: at 320x240 decoding with these priors reproduces the
 * original `boxes` output to float32 rounding (the derivation script checks
 * it; priors.test.ts pins the layout). One quirk: prior centres are spaced by
 * the feature map's size (ceil(input / stride)), not by input / stride, which
 * differ where the stride does not divide the input (240 / 32, 240 / 64).
 */
const STRIDES = [8, 16, 32, 64] as const;
const MIN_BOXES: readonly (readonly number[])[] = [
  [10, 16, 24],
  [32, 48],
  [64, 96],
  [128, 192, 256],
];
const CENTER_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;

const cache = new Map<string, Float32Array>();

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** Feature map size of each head (strides 8, 16, 32, 64): every stride-2 convolution halves the map, rounding up. */
function featureMaps(width: number, height: number): [number, number][] {
  const maps: [number, number][] = [];
  let w = width;
  let h = height;
  for (let stride = 2; stride <= STRIDES[STRIDES.length - 1]!; stride *= 2) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    if (STRIDES.includes(stride as (typeof STRIDES)[number])) maps.push([w, h]);
  }
  return maps;
}

/**
 * Priors for an input of `width` x `height`: (cx, cy, w, h) per anchor,
 * normalised to the input, in the model's output order (head, row, column,
 * box size). Cached per size.
 */
export function detectorPriors(width: number, height: number): Float32Array {
  const key = `${width}x${height}`;
  let priors = cache.get(key);
  if (priors) return priors;
  const maps = featureMaps(width, height);
  const n = maps.reduce((sum, [w, h], k) => sum + w * h * MIN_BOXES[k]!.length, 0);
  priors = new Float32Array(4 * n);
  let o = 0;
  maps.forEach(([mw, mh], k) => {
    for (let j = 0; j < mh; j++) {
      for (let i = 0; i < mw; i++) {
        for (const size of MIN_BOXES[k]!) {
          priors![o++] = clip((i + 0.5) / mw);
          priors![o++] = clip((j + 0.5) / mh);
          priors![o++] = clip(size / width);
          priors![o++] = clip(size / height);
        }
      }
    }
  });
  cache.set(key, priors);
  return priors;
}

/**
 * Decodes anchor `i`'s raw regression into a corner-form box (x1, y1, x2, y2)
 * normalised to the input. The detector decodes only the anchors whose score
 * passes its threshold.
 */
export function decodeBox(regressions: Float32Array, priors: Float32Array, i: number): [number, number, number, number] {
  const k = 4 * i;
  const pw = priors[k + 2]!;
  const ph = priors[k + 3]!;
  const cx = regressions[k]! * CENTER_VARIANCE * pw + priors[k]!;
  const cy = regressions[k + 1]! * CENTER_VARIANCE * ph + priors[k + 1]!;
  const w = Math.exp(regressions[k + 2]! * SIZE_VARIANCE) * pw;
  const h = Math.exp(regressions[k + 3]! * SIZE_VARIANCE) * ph;
  // Rounded to float32, as the original graph's output was.
  return [Math.fround(cx - w / 2), Math.fround(cy - h / 2), Math.fround(cx + w / 2), Math.fround(cy + h / 2)];
}

/** Decodes every anchor (the derivation script's check against the original graph). */
export function decodeBoxes(regressions: Float32Array, priors: Float32Array, out = new Float32Array(priors.length)): Float32Array {
  checkAnchors(regressions, priors);
  for (let i = 0; i < priors.length / 4; i++) out.set(decodeBox(regressions, priors, i), 4 * i);
  return out;
}

export function checkAnchors(regressions: Float32Array, priors: Float32Array): void {
  if (regressions.length !== priors.length) {
    throw new RangeError(`detector returned ${regressions.length / 4} boxes for ${priors.length / 4} priors`);
  }
}
