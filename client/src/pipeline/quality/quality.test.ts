import { describe, expect, it } from "vitest";
import { solid } from "../testing.js";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import { brightness, checkQuality, DEFAULT_QUALITY_POLICY, laplacianVariance, poseFromPoints, qualityScore, sharpness } from "./quality.js";
import type { Affine } from "../align/similarity.js";
import type { FivePoints, QualityReport } from "../types.js";

const identity: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };
const good: QualityReport = {
  score: 1,
  interOcularPx: 60,
  sharpness: 150,
  brightness: 130,
  pose: { yaw: 0, pitch: 0, roll: 0 },
  outside: 0,
};

describe("quality measurements", () => {
  it("a flat crop has zero Laplacian variance and its own brightness", () => {
    const flat = solid(112, 112, [100, 100, 100]);
    expect(laplacianVariance(flat)).toBe(0);
    expect(brightness(flat)).toBeCloseTo(100, 6);
  });

  it("sharpness is exposure-normalised: halving the exposure keeps it", () => {
    const crop = solid(112, 112, [0, 0, 0]);
    for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) crop.data.fill((x + y) % 2 ? 200 : 40, (y * 112 + x) * 4, (y * 112 + x) * 4 + 3);
    const half = { ...crop, data: crop.data.map((v, i) => (i % 4 === 3 ? v : v / 2)) };
    expect(sharpness(half, brightness(half))).toBeCloseTo(sharpness(crop, brightness(crop)), 3);
    expect(laplacianVariance(half)).toBeCloseTo(laplacianVariance(crop) / 4, 3);
  });

  it("the reference face is frontal, and roll is the eye line's angle", () => {
    const p = poseFromPoints(ARCFACE_112, identity);
    expect(Math.abs(p.yaw)).toBeLessThan(1);
    expect(Math.abs(p.pitch)).toBeLessThan(0.01);
    expect(Math.abs(p.roll)).toBeLessThan(1);
    // Rotate the points by 20° in the source; map them back with the inverse rotation.
    const t = (20 * Math.PI) / 180;
    const rotated = ARCFACE_112.map((q) => ({ x: q.x * Math.cos(t) - q.y * Math.sin(t), y: q.x * Math.sin(t) + q.y * Math.cos(t) })) as unknown as FivePoints;
    const back: Affine = { a: Math.cos(t), b: Math.sin(t), c: 0, d: -Math.sin(t), e: Math.cos(t), f: 0 };
    const r = poseFromPoints(rotated, back);
    expect(r.roll - poseFromPoints(ARCFACE_112, identity).roll).toBeCloseTo(20, 6);
    expect(r.yaw).toBeCloseTo(p.yaw, 6);
  });

  it("a nose moved sideways reads as yaw, up or down as pitch", () => {
    const turned = ARCFACE_112.map((q, i) => (i === 2 ? { x: q.x + 10, y: q.y } : q)) as unknown as FivePoints;
    expect(poseFromPoints(turned, identity).yaw).toBeGreaterThan(25);
    const down = ARCFACE_112.map((q, i) => (i === 2 ? { x: q.x, y: q.y + 10 } : q)) as unknown as FivePoints;
    expect(poseFromPoints(down, identity).pitch).toBeGreaterThan(25);
  });
});

describe("checkQuality", () => {
  it("passes a good face", () => {
    expect(checkQuality(good, DEFAULT_QUALITY_POLICY)).toBeNull();
  });

  it("names the first failing gate with a stable reason", () => {
    const cases: [Partial<QualityReport>, string][] = [
      [{ interOcularPx: 8 }, "face-too-small"],
      [{ outside: 0.2 }, "face-cut-off"],
      [{ pose: { yaw: 75, pitch: 0, roll: 0 } }, "pose-too-far"],
      [{ pose: { yaw: 0, pitch: 0, roll: -50 } }, "pose-too-far"],
      [{ brightness: 12 }, "too-dark"],
      [{ brightness: 250 }, "too-bright"],
      [{ sharpness: 1.5 }, "too-blurry"],
      // Several problems: the geometric one comes first.
      [{ interOcularPx: 8, sharpness: 1.5, brightness: 12 }, "face-too-small"],
    ];
    for (const [patch, reason] of cases) {
      const e = checkQuality({ ...good, ...patch }, DEFAULT_QUALITY_POLICY);
      expect(e?.reason).toBe(reason);
      expect(e?.message.length).toBeGreaterThan(10);
    }
  });

  it("quality score is 1 for a comfortable face and falls toward the limits", () => {
    const best = qualityScore({ ...good, interOcularPx: 100, sharpness: 1000 }, DEFAULT_QUALITY_POLICY);
    const worse = qualityScore({ ...good, interOcularPx: 100, sharpness: 1000, pose: { yaw: 40, pitch: 0, roll: 0 } }, DEFAULT_QUALITY_POLICY);
    const edge = qualityScore({ ...good, interOcularPx: DEFAULT_QUALITY_POLICY.minInterOcularPx }, DEFAULT_QUALITY_POLICY);
    expect(best).toBeCloseTo(1, 6);
    expect(worse).toBeLessThan(best);
    expect(edge).toBe(0);
  });
});
