import { isMatch, similarity } from "../../../../src/protocol/similarity.js";
import { l2normalise } from "./embed.js";

/**
 * Temporal fusion, the practical form of a CNN-RNN for verification: embed
 * a short burst of good frames and average them, weighted by quality. Noise
 * that differs between frames (blur, landmark jitter, compression) averages
 * out; the identity, shared by all frames, remains.
 */
export interface WeightedEmbedding {
  embedding: Float32Array;
  /** Non-negative weight (the frame's quality score). */
  weight: number;
}

/**
 * Quality-weighted mean of L2-normalised embeddings, renormalised to unit
 * length. Zero total weight (every frame scored 0) falls back to equal weights.
 */
export function fuseEmbeddings(items: readonly WeightedEmbedding[]): Float32Array {
  if (items.length === 0) throw new RangeError("nothing to fuse");
  const dim = items[0]!.embedding.length;
  const total = items.reduce((s, it) => s + Math.max(0, it.weight), 0);
  const out = new Float32Array(dim);
  for (const it of items) {
    if (it.embedding.length !== dim) throw new RangeError("embeddings differ in length");
    const w = total > 0 ? Math.max(0, it.weight) / total : 1 / items.length;
    for (let i = 0; i < dim; i++) out[i]! += w * it.embedding[i]!;
  }
  return l2normalise(out);
}

/**
 * Indices of the embeddings that agree with the others: each frame is
 * compared with the fusion of all the other frames, and kept when their
 * cosine is at least `minSimilarity` (use the embedding model's match
 * threshold: a frame that would not match the rest is not the same face,
 * e.g. another person stepped in).
 */
export function consistentFrames(items: readonly WeightedEmbedding[], minSimilarity: number): number[] {
  if (items.length < 3) return items.map((_, i) => i);
  return items.flatMap((it, i) => {
    const rest = fuseEmbeddings(items.filter((_, j) => j !== i));
    return isMatch(similarity(it.embedding, rest), minSimilarity) ? [i] : [];
  });
}
