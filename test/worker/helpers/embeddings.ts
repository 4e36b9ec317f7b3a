import { mulberry32 } from "../../../scripts/eval/data/prng.js";

/**
 * Synthetic embeddings for the server tests: the real face models run on the
 * client; the server only sees unit vectors. A "same person" probe is the
 * template plus small noise, renormalised (cosine about 0.995); an impostor is
 * an independent random unit vector (cosine about 0 ± 0.05 at 512-d).
 */
export const DIM = 512;

/** Deterministic PRNG (the eval tool's mulberry32) so a failing test reproduces. */
export const rng = mulberry32;

function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = 1 / Math.sqrt(n);
  return v.map((x) => x * s);
}

let counter = 1;

/** A random unit vector: a new "person". */
export function randomFace(seed = counter++ * 7919): Float32Array {
  const next = rng(seed);
  return normalize(Float32Array.from({ length: DIM }, () => gaussian(next)));
}

/** Another capture of the same person: noise of norm about `noise`, renormalised. */
export function sameFace(template: Float32Array, noise = 0.1, seed = counter++ * 104729): Float32Array {
  const next = rng(seed);
  const sigma = noise / Math.sqrt(template.length);
  return normalize(template.map((x) => x + sigma * gaussian(next)));
}
