/**
 * Cosine similarity, best of the subject's templates. Inputs are unit vectors
 * already (bytesToEmbedding checks the norm), but dividing by the norms keeps
 * the score honest to float32 rounding.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error("dimension mismatch");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The best score against any template; -Infinity when there are none. */
export function bestCosine(probe: Float32Array, templates: readonly Float32Array[]): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const t of templates) best = Math.max(best, cosine(probe, t));
  return best;
}
