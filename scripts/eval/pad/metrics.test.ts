import { describe, expect, it } from "vitest";
import { atThreshold, bpcerAtApcer, detCurve, equalErrorRate, padMetrics, type ScoredPresentation } from "./metrics.js";

/** Synthetic scores (metric arithmetic only: the real run is pad-eval.test.ts). */
const bona = (subject: string, ...scores: (number | null)[]): ScoredPresentation[] => scores.map((score) => ({ type: "bona_fide", subject, score }));
const attack = (type: string, subject: string, ...scores: (number | null)[]): ScoredPresentation[] => scores.map((score) => ({ type, subject, score }));

const items: ScoredPresentation[] = [
  ...bona("s1", 0.9, 0.8, 0.7, 0.35),
  ...bona("s2", 0.95, 0.6, 0.2, null),
  ...attack("print", "s1", 0.1, 0.2, 0.4, 0.65),
  ...attack("print", "s2", 0.05, null),
  ...attack("replay", "s2", 0.3, 0.5, 0.55, 0.75),
];

describe("ISO/IEC 30107-3 rates", () => {
  it("APCER per attack type and BPCER at a threshold, refused images counted apart", () => {
    const o = atThreshold(items, 0.5);
    // Bona fide scored: 0.9 0.8 0.7 0.35 0.95 0.6 0.2 -> below 0.5: 0.35, 0.2.
    expect(o.bpcer).toMatchObject({ errors: 2, presentations: 7, subjects: 2, subjectsWithErrors: 2 });
    expect(o.bpcer.rate).toBeCloseTo(2 / 7, 12);
    const print = o.apcer.find((t) => t.type === "print")!;
    const replay = o.apcer.find((t) => t.type === "replay")!;
    // print scored: 0.1 0.2 0.4 0.65 0.05 -> accepted: 0.65; one refused.
    expect(print.error).toMatchObject({ errors: 1, presentations: 5, subjects: 2, subjectsWithErrors: 1 });
    expect(print.refused).toBe(1);
    // replay: 0.5 0.55 0.75 accepted (score >= threshold is bona fide).
    expect(replay.error).toMatchObject({ errors: 3, presentations: 4, subjects: 1 });
    expect(o.worst!.type).toBe("replay");
    expect(o.apcer[0]!.type).toBe("replay");
    expect(o.apcerPooled).toMatchObject({ errors: 4, presentations: 9 });
  });

  it("gives an upper confidence bound above the observed rate, and about 3/n with no errors", () => {
    const o = atThreshold(items, 0.99);
    for (const t of o.apcer) {
      expect(t.error.errors).toBe(0);
      expect(t.error.upper95).toBeCloseTo(1 - 0.05 ** (1 / t.error.presentations), 9);
    }
    const mid = atThreshold(items, 0.5);
    expect(mid.bpcer.upper95).toBeGreaterThan(mid.bpcer.rate);
  });

  it("BPCER at APCER x uses the lowest threshold where every type's APCER <= x", () => {
    const r = bpcerAtApcer(items, 0.25);
    // Candidate thresholds are the observed scores. At 0.6 replay has 1 of 4 accepted (0.75)
    // and print 1 of 5 (0.65); at 0.55 replay has 2 of 4.
    expect(r.threshold).toBe(0.6);
    expect(r.outcome.worst!.error.rate).toBeLessThanOrEqual(0.25);
    expect(r.outcome.bpcer.errors).toBe(2); // 0.35 0.2
    const lower = atThreshold(items, 0.55);
    expect(lower.worst!.error.rate).toBeGreaterThan(0.25);
    // Zero APCER needs a threshold above every attack score.
    const zero = bpcerAtApcer(items, 0);
    expect(zero.threshold).toBe(0.8);
    expect(zero.outcome.apcerPooled.errors).toBe(0);
  });

  it("DET points run from everything accepted to everything refused, and the EER sits where they cross", () => {
    const det = detCurve(items, null);
    expect(det[0]).toMatchObject({ apcer: 1, bpcer: 0 });
    expect(det[det.length - 1]).toMatchObject({ threshold: Infinity, apcer: 0, bpcer: 1 });
    for (let k = 1; k < det.length; k++) {
      expect(det[k]!.apcer).toBeLessThanOrEqual(det[k - 1]!.apcer);
      expect(det[k]!.bpcer).toBeGreaterThanOrEqual(det[k - 1]!.bpcer);
    }
    const perfect = [...bona("a", 0.9, 0.8), ...attack("print", "b", 0.1, 0.2)];
    expect(equalErrorRate(detCurve(perfect, null)).eer).toBe(0);
    expect(detCurve(items, "print").every((p) => Number.isFinite(p.apcer))).toBe(true);
  });

  it("summarises counts, refusals and subjects", () => {
    const m = padMetrics(items, 0.5);
    expect(m.presentations).toEqual({ bonaFide: 8, attacks: 10, refusedBonaFide: 1, refusedAttacks: 1, subjects: 2 });
    expect(m.bpcerAtApcer.map((b) => b.target)).toEqual([0.1, 0.05]);
    expect(m.operating.threshold).toBe(0.5);
  });
});
