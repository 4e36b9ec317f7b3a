/** A candidate box in corner form with its score. */
export interface ScoredBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

export function area(b: ScoredBox): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: ScoredBox, b: ScoredBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression: keep the best-scoring box, drop every box
 * overlapping it by more than `iouThreshold`, repeat. Returns boxes by
 * decreasing score. (The original package compared intersection against one
 * box's area after sorting by bottom edge, which can keep duplicates; this is
 * the standard form.)
 */
export function nms(boxes: readonly ScoredBox[], iouThreshold: number, maxKeep = Infinity): ScoredBox[] {
  const sorted = boxes.filter((b) => area(b) > 0).sort((a, b) => b.score - a.score);
  const kept: ScoredBox[] = [];
  const dropped = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxKeep; i++) {
    if (dropped[i]) continue;
    const best = sorted[i]!;
    kept.push(best);
    for (let j = i + 1; j < sorted.length; j++) {
      if (!dropped[j] && iou(best, sorted[j]!) > iouThreshold) dropped[j] = 1;
    }
  }
  return kept;
}
