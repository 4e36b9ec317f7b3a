/**
 * Where the too-blurry gate sits (DEFAULT_QUALITY_POLICY.minSharpness,
 * docs/ACCURACY.md "Quality gates"): probes blurred with the gate off,
 * each with its sharpness and its cosine to the clean reference, then
 * (1) how often genuine probes match at the operating threshold in each
 * sharpness bin, and (2) what each candidate limit would give: matched
 * genuine pairs, false matches, refusals (a refused probe counts as a miss).
 */

/** One scored pair: `cosine` is null when the pipeline refused for a reason other than sharpness. */
export interface GateRow {
  same: boolean;
  sharpness: number | null;
  cosine: number | null;
}

export interface BinCount {
  from: number;
  to: number;
  genuine: number;
  genuineMatched: number;
  impostor: number;
  impostorMatched: number;
  /** Highest impostor cosine in the bin (null when it holds none). */
  impostorMax: number | null;
}

export interface LimitCount {
  limit: number;
  genuine: number;
  matched: number;
  falseMatches: number;
  impostor: number;
  /** Genuine pairs refused: by the sharpness limit, or for another reason. */
  refused: number;
}

function usable(r: GateRow): r is GateRow & { sharpness: number; cosine: number } {
  return r.cosine !== null && r.sharpness !== null;
}

/** Counts per half-open sharpness bin [edges[i], edges[i+1]). */
export function sharpnessBins(rows: readonly GateRow[], edges: readonly number[], threshold: number): BinCount[] {
  const bins: BinCount[] = edges.slice(0, -1).map((from, i) => ({
    from,
    to: edges[i + 1]!,
    genuine: 0,
    genuineMatched: 0,
    impostor: 0,
    impostorMatched: 0,
    impostorMax: null,
  }));
  for (const r of rows) {
    if (!usable(r)) continue;
    const b = bins.find((x) => r.sharpness >= x.from && r.sharpness < x.to);
    if (!b) continue;
    if (r.same) {
      b.genuine++;
      if (r.cosine >= threshold) b.genuineMatched++;
    } else {
      b.impostor++;
      if (r.cosine >= threshold) b.impostorMatched++;
      b.impostorMax = Math.max(b.impostorMax ?? -1, r.cosine);
    }
  }
  return bins;
}

/** What each candidate limit gives on the same rows. */
export function limitSweep(rows: readonly GateRow[], limits: readonly number[], threshold: number): LimitCount[] {
  return limits.map((limit) => {
    const c: LimitCount = { limit, genuine: 0, matched: 0, falseMatches: 0, impostor: 0, refused: 0 };
    for (const r of rows) {
      const passes = usable(r) && r.sharpness >= limit;
      if (r.same) {
        c.genuine++;
        if (!passes) c.refused++;
        else if (r.cosine >= threshold) c.matched++;
      } else {
        c.impostor++;
        if (passes && r.cosine >= threshold) c.falseMatches++;
      }
    }
    return c;
  });
}
