import { similarity } from "../../../src/protocol/similarity.js";

/**
 * Scores every pair among a set of embeddings (n^2/2 similarities: about six
 * million for the 3,400 DevTrain images) without storing them: a count,
 * the top-K impostor scores with their images (enough for thresholds down
 * to FMR K/N), counts at given thresholds, and all same-identity scores.
 */

export interface ScoredPairs {
  /** Scores in descending order, with the two image indices of each. */
  scores: Float64Array;
  i: Uint32Array;
  j: Uint32Array;
}

export interface CrossPairScan {
  images: number;
  /** Pairs of images with different identities. */
  impostorPairs: number;
  /** The highest `topK` impostor scores (fewer if there are fewer pairs). */
  topImpostors: ScoredPairs;
  /** For each of `countAtLeast`: impostor pairs with score >= it. */
  impostorsAtLeast: number[];
  /** Every same-identity pair (there are few). */
  genuine: ScoredPairs;
}

/** Fixed-capacity min-heap of (score, i, j): keeps the K largest scores seen. */
class TopK {
  readonly s: Float64Array;
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  size = 0;
  constructor(readonly k: number) {
    this.s = new Float64Array(k);
    this.a = new Uint32Array(k);
    this.b = new Uint32Array(k);
  }
  /** The smallest kept score once full (anything not above it is dropped). */
  get floor(): number {
    return this.size < this.k ? -Infinity : this.s[0]!;
  }
  push(score: number, i: number, j: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (this.s[p]! <= score) break;
        this.move(p, c);
        c = p;
      }
      this.set(c, score, i, j);
      return;
    }
    if (score <= this.s[0]!) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const m = r < this.size && this.s[r]! < this.s[l]! ? r : l;
      if (this.s[m]! >= score) break;
      this.move(m, c);
      c = m;
    }
    this.set(c, score, i, j);
  }
  private move(from: number, to: number): void {
    this.s[to] = this.s[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
  }
  private set(c: number, score: number, i: number, j: number): void {
    this.s[c] = score;
    this.a[c] = i;
    this.b[c] = j;
  }
  sorted(): ScoredPairs {
    const order = Array.from({ length: this.size }, (_, k) => k).sort((x, y) => this.s[y]! - this.s[x]!);
    return {
      scores: Float64Array.from(order, (k) => this.s[k]!),
      i: Uint32Array.from(order, (k) => this.a[k]!),
      j: Uint32Array.from(order, (k) => this.b[k]!),
    };
  }
}

/**
 * `embeddings` is an n x dim row-major matrix of L2-normalised rows;
 * `identity[r]` labels row r. Tiles of 64 x 64 rows
 * keep both blocks in cache.
 */
export function scanCrossPairs(
  embeddings: Float32Array,
  dim: number,
  identity: Int32Array,
  opts: { topK: number; countAtLeast?: readonly number[] },
): CrossPairScan {
  const n = identity.length;
  if (embeddings.length !== n * dim) throw new Error(`embedding matrix is ${embeddings.length} floats, expected ${n} x ${dim}`);
  const thresholds = opts.countAtLeast ?? [];
  const counts = new Array<number>(thresholds.length).fill(0);
  const top = new TopK(opts.topK);
  const gs: number[] = [];
  const gi: number[] = [];
  const gj: number[] = [];
  let impostors = 0;
  // Row views, made once: the scan scores with the protocol's similarity(), the server's own rule,
  // so the thresholds calibrated from these scores are the ones the server applies.
  const rows = Array.from({ length: n }, (_, r) => embeddings.subarray(r * dim, (r + 1) * dim));
  const T = 64;
  for (let bi = 0; bi < n; bi += T) {
    const ei = Math.min(n, bi + T);
    for (let bj = bi; bj < n; bj += T) {
      const ej = Math.min(n, bj + T);
      for (let i = bi; i < ei; i++) {
        const row = rows[i]!;
        const idi = identity[i]!;
        for (let j = Math.max(bj, i + 1); j < ej; j++) {
          const s = similarity(row, rows[j]!);
          if (identity[j] === idi) {
            gs.push(s);
            gi.push(i);
            gj.push(j);
            continue;
          }
          impostors++;
          if (s > top.floor) top.push(s, i, j);
          for (let t = 0; t < thresholds.length; t++) if (s >= thresholds[t]!) counts[t]!++;
        }
      }
    }
  }
  const order = gs.map((_, k) => k).sort((x, y) => gs[y]! - gs[x]!);
  return {
    images: n,
    impostorPairs: impostors,
    topImpostors: top.sorted(),
    impostorsAtLeast: counts,
    genuine: {
      scores: Float64Array.from(order, (k) => gs[k]!),
      i: Uint32Array.from(order, (k) => gi[k]!),
      j: Uint32Array.from(order, (k) => gj[k]!),
    },
  };
}

/** Same-identity and cross-identity pair counts for a labelling, without scoring anything. */
export function pairCounts(identity: ArrayLike<number>): { genuine: number; impostor: number } {
  const sizes = new Map<number, number>();
  for (let k = 0; k < identity.length; k++) sizes.set(identity[k]!, (sizes.get(identity[k]!) ?? 0) + 1);
  let genuine = 0;
  for (const s of sizes.values()) genuine += (s * (s - 1)) / 2;
  const n = identity.length;
  return { genuine, impostor: (n * (n - 1)) / 2 - genuine };
}
