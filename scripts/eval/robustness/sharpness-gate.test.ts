import { describe, expect, it } from "vitest";
import { limitSweep, sharpnessBins, type GateRow } from "./sharpness-gate.js";

const rows: GateRow[] = [
  { same: true, sharpness: 1.2, cosine: 0.2 },
  { same: true, sharpness: 1.8, cosine: 0.5 },
  { same: true, sharpness: 3.0, cosine: 0.6 },
  { same: true, sharpness: 3.5, cosine: 0.3 },
  { same: true, sharpness: null, cosine: null }, // refused for another reason (multiple-faces, say)
  { same: false, sharpness: 1.5, cosine: 0.1 },
  { same: false, sharpness: 3.2, cosine: 0.45 },
];

describe("sharpness gate tables", () => {
  it("bins count genuine matches and impostor scores per half-open sharpness bin", () => {
    const bins = sharpnessBins(rows, [1, 2, 4], 0.41);
    expect(bins).toEqual([
      { from: 1, to: 2, genuine: 2, genuineMatched: 1, impostor: 1, impostorMatched: 0, impostorMax: 0.1 },
      { from: 2, to: 4, genuine: 2, genuineMatched: 1, impostor: 1, impostorMatched: 1, impostorMax: 0.45 },
    ]);
  });

  it("a limit refuses what lies below it, a refusal counts as a miss, and other refusals stay refused", () => {
    const [none, two, four] = limitSweep(rows, [0, 2, 4], 0.41);
    expect(none).toEqual({ limit: 0, genuine: 5, matched: 2, falseMatches: 1, impostor: 2, refused: 1 });
    expect(two).toEqual({ limit: 2, genuine: 5, matched: 1, falseMatches: 1, impostor: 2, refused: 3 });
    expect(four).toEqual({ limit: 4, genuine: 5, matched: 0, falseMatches: 0, impostor: 2, refused: 5 });
  });
});
