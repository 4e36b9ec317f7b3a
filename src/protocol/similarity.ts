/**
 * The match rule: cosine similarity of two embeddings, and the comparison
 * with a calibrated threshold (models/manifest.json, "match iff cosine >=
 * threshold"). Shared by the server's decisions and everything that
 * calibrates or measures them, so the threshold that is calibrated is the
 * one that is applied.
 *
 * Embeddings on the wire are unit vectors already (the envelope check refuses
 * any other norm), but dividing by the norms keeps the score honest to
 * float32 rounding; a zero vector matches nothing (score 0).
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError("embeddings differ in length");
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

/** The manifest's convention: a score at or above the threshold is a match. */
export function isMatch(score: number, threshold: number): boolean {
  return score >= threshold;
}
