import { EMBEDDING_DIM as DIM } from "./embedding-model.js";

/** A random unit vector (a new "person"), or a noisy copy of `base` (the same person again). */
export function unitVector(base?: Float32Array, noise = 0.1): Float32Array {
  const v = new Float32Array(DIM);
  let n = 0;
  for (let i = 0; i < DIM; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    v[i] = base ? base[i]! + (noise / Math.sqrt(DIM)) * g : g;
    n += v[i]! * v[i]!;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < DIM; i++) v[i]! /= n;
  return v;
}
