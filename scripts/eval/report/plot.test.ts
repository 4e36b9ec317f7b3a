import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { rocCurve } from "../metrics/metrics.js";
import { detScene, normalQuantile, PALETTE, rocScene, sceneToPng, sceneToSvg } from "./plot.js";

const curveA = rocCurve([0.9, 0.8, 0.75, 0.6, 0.4], [0.7, 0.5, 0.3, 0.2, 0.1, 0.05]);
const curveB = rocCurve([0.85, 0.6, 0.5, 0.45, 0.3], [0.7, 0.5, 0.3, 0.2, 0.1, 0.05]);
const curves = [
  { label: "clean", points: curveA, marker: { far: 0.2, tar: 0.8 } },
  { label: "blur2", points: curveB },
];

function countColour(png: PNG, rgb: readonly number[], tol = 40): number {
  let n = 0;
  for (let k = 0; k < png.data.length; k += 4) {
    if (Math.abs(png.data[k]! - rgb[0]!) + Math.abs(png.data[k + 1]! - rgb[1]!) + Math.abs(png.data[k + 2]! - rgb[2]!) < tol) n++;
  }
  return n;
}

describe("plots", () => {
  it("the normal deviate scale is the inverse normal CDF", () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(1e-4)).toBeCloseTo(-3.719016, 5);
    expect(normalQuantile(0.3)).toBeCloseTo(-normalQuantile(0.7), 9);
  });

  it("writes a valid PNG of the requested size with curves, text and a white background", () => {
    for (const scene of [rocScene(curves, { title: "ROC test", width: 640, height: 480 }), detScene(curves, { title: "DET test", width: 640, height: 480 })]) {
      const buf = sceneToPng(scene);
      expect(buf.subarray(1, 4).toString()).toBe("PNG");
      const png = PNG.sync.read(buf);
      expect([png.width, png.height]).toEqual([640, 480]);
      expect(countColour(png, [255, 255, 255], 3)).toBeGreaterThan(0.5 * 640 * 480);
      // Both curves are drawn in their palette colours (and in the legend).
      expect(countColour(png, PALETTE[0]!)).toBeGreaterThan(100);
      expect(countColour(png, PALETTE[1]!)).toBeGreaterThan(100);
      // Dark ink: the frame, tick labels, title.
      expect(countColour(png, [34, 34, 34], 60)).toBeGreaterThan(1500);
    }
  });

  it("writes SVG with one polyline per curve, the legend labels and the axis titles", () => {
    const svg = sceneToSvg(rocScene(curves, { title: "ROC <test>" }));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain(">clean</text>");
    expect(svg).toContain(">blur2</text>");
    expect(svg).toContain("ROC &lt;test&gt;");
    expect(svg).toContain("False accept rate (FAR), log scale");
  });
});
