import { describe, expect, it } from "vitest";
import { chooseSubject } from "./subject.js";
import type { DetectedFace } from "../types.js";

const face = (cx: number, cy: number, size: number, score = 0.99): DetectedFace => ({
  box: { x: cx - size / 2, y: cy - (size * 1.3) / 2, width: size, height: size * 1.3 },
  score,
});

describe("chooseSubject", () => {
  it("returns null without faces", () => {
    expect(chooseSubject([], 640, 480)).toBeNull();
  });

  it("takes the one face", () => {
    const c = chooseSubject([face(320, 240, 100)], 640, 480)!;
    expect(c.ambiguous).toBe(false);
    expect(c.others).toEqual([]);
  });

  it("two people of similar size side by side are ambiguous", () => {
    const c = chooseSubject([face(160, 200, 120), face(480, 200, 110)], 640, 480)!;
    expect(c.ambiguous).toBe(true);
    expect(c.runnerUpRatio).toBeGreaterThan(0.5);
  });

  it("a smaller face elsewhere is reported, not a reason to refuse", () => {
    const c = chooseSubject([face(320, 240, 160), face(560, 120, 60)], 640, 480)!;
    expect(c.ambiguous).toBe(false);
    expect(c.subject.box.width).toBe(160);
    expect(c.others).toHaveLength(1);
  });

  it("prefers the centred face over an equally large one at the frame edge", () => {
    const c = chooseSubject([face(600, 240, 150), face(320, 240, 140)], 640, 480)!;
    expect(c.subject.box.width).toBe(140);
    expect(c.ambiguous).toBe(false);
  });
});
