import { describe, expect, it } from "vitest";
import { decodeBoxes, detectorPriors } from "./priors.js";

describe("detector priors", () => {
  it("has the original model's 4,420 anchors at 320x240 and as many as the model returns at other sizes", () => {
    expect(detectorPriors(320, 240).length / 4).toBe(4420);
    // Anchor counts onnxruntime returned for the derived model at these sizes.
    expect(detectorPriors(160, 120).length / 4).toBe(1118);
    expect(detectorPriors(240, 240).length / 4).toBe(3326);
    expect(detectorPriors(160, 160).length / 4).toBe(1477);
  });

  it("lays anchors out head by head, row by row, three sizes on the first head", () => {
    const p = Array.from(detectorPriors(320, 240).subarray(0, 12));
    expect(p.slice(0, 4)).toEqual([0.5 / 40, 0.5 / 30, 10 / 320, 10 / 240].map(Math.fround));
    expect(p.slice(4, 8)).toEqual([0.5 / 40, 0.5 / 30, 16 / 320, 16 / 240].map(Math.fround));
    expect(p.slice(8, 12)).toEqual([0.5 / 40, 0.5 / 30, 24 / 320, 24 / 240].map(Math.fround));
  });

  it("spaces centres by the feature map size where the stride does not divide the input (the original graph's constants)", () => {
    const p = detectorPriors(320, 240);
    // Third head (stride 32): 10 x 8 map for 240 rows (240 / 32 = 7.5), starting after 3,600 + 600 anchors.
    const first = 4 * (3600 + 600);
    expect(p[first + 1]).toBeCloseTo(0.5 / 8, 7);
    expect(p[first + 1]).not.toBeCloseTo(0.5 / 7.5, 4);
    // Sizes are clipped to the input: 256 px of a 240-row input is 1.
    expect(p[p.length - 1]).toBe(1);
  });

  it("decodes zero regressions to the priors themselves, in corner form", () => {
    const priors = detectorPriors(160, 120);
    const boxes = decodeBoxes(new Float32Array(priors.length), priors);
    for (let i = 0; i < priors.length; i += 4) {
      expect(boxes[i]).toBeCloseTo(priors[i]! - priors[i + 2]! / 2, 6);
      expect(boxes[i + 3]).toBeCloseTo(priors[i + 1]! + priors[i + 3]! / 2, 6);
    }
  });

  it("applies the variances: centre offsets x 0.1 x prior size, log sizes x 0.2", () => {
    const priors = new Float32Array([0.5, 0.5, 0.2, 0.1]);
    const [x1, y1, x2, y2] = decodeBoxes(new Float32Array([1, -1, Math.log(2) / 0.2, 0]), priors);
    // centre (0.52, 0.49), size (0.4, 0.1)
    expect([x1, y1, x2, y2].map((v) => Number(v!.toFixed(6)))).toEqual([0.32, 0.44, 0.72, 0.54]);
  });

  it("refuses regressions that do not match the priors", () => {
    expect(() => decodeBoxes(new Float32Array(8), detectorPriors(160, 120))).toThrow(/2 boxes for 1118 priors/);
  });
});
