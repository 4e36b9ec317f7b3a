import { describe, expect, it } from "vitest";
import { refuseHeldOut } from "../cli.js";
import type { Evaluation } from "../metrics/evaluate.js";
import { atThreshold, verificationMetrics } from "../metrics/metrics.js";
import { formatTable, htmlReport, rate, summaryTable, toJson } from "./report.js";
import { robustnessRows } from "../robustness/robustness-table.js";

function fakeRun(name: string, genuine: number[], impostor: number[], threshold: number): Evaluation {
  const metrics = verificationMetrics(genuine, impostor);
  const { roc: _roc, ...processedOnly } = metrics;
  const none = { total: 0, failed: 0, byReason: {} };
  return {
    name,
    probe: "none",
    metrics,
    processedOnly,
    atShipped: { modelId: "m", operating: { fmr: 1e-4, outcome: atThreshold(genuine, impostor, threshold) }, calibrated: [] },
    failures: { images: { ...none, fraction: 0 }, genuinePairs: none, impostorPairs: none, examples: [] },
    timings: { embed: { median: 20, count: 4 } },
    scores: { genuine, impostor },
  };
}

describe("reports", () => {
  it("robustness rows give TAR with counts at the FMR 1e-3 and the operating thresholds, deltas in points against the clean run", () => {
    const clean = fakeRun("clean", [0.9, 0.8, 0.7, 0.6], [0.1, 0.2], 0.65);
    const worse = fakeRun("blur2", [0.9, 0.8, 0.62, -Infinity], [0.1, 0.7], 0.65);
    worse.failures.genuinePairs = { total: 4, failed: 1, byReason: { "too-blurry": 1 } };
    const rows = robustnessRows([clean, worse], 0.55);
    expect(rows[0]).toMatchObject({ run: "clean", overBudget: false, genuineRefused: 0 });
    expect(rows[0]!.at1e3).toMatchObject({ threshold: 0.55, tar: 1, matched: 4, genuine: 4, delta: 0 });
    expect(rows[0]!.atOperating).toMatchObject({ threshold: 0.65, tar: 0.75, matched: 3, genuine: 4, delta: 0 });
    expect(rows[1]!.at1e3).toMatchObject({ tar: 0.75, matched: 3, falseMatches: 1, impostor: 2 });
    expect(rows[1]!.at1e3.delta).toBeCloseTo(-25, 9);
    expect(rows[1]!.atOperating).toMatchObject({ tar: 0.5, matched: 2, falseMatches: 1 });
    expect(rows[1]!.atOperating.delta).toBeCloseTo(-25, 9);
    expect(rows[1]).toMatchObject({ run: "blur2", overBudget: true, overBudgetAt1e3: true, genuineRefused: 1, refusedByReason: { "too-blurry": 1 } });
    expect(rows[1]!.accuracyDelta).toBeCloseTo(100 * (3 / 6 - 5 / 6), 9);
    // Exactly the budget (3 points: 3 of 100 pairs) is within it.
    const g = (k: number) => Array.from({ length: 100 }, (_, i) => (i < k ? 0.9 : 0.1));
    const edge = robustnessRows([fakeRun("clean", g(97), [0], 0.5), fakeRun("blur2", g(94), [0], 0.5), fakeRun("x", g(93), [0], 0.5)], 0.5);
    expect(edge.map((r) => r.overBudget)).toEqual([false, false, true]);
    // An explicit operating threshold wins over the run's own.
    expect(robustnessRows([clean, worse], 0.55, 0.85)[0]!.atOperating).toMatchObject({ matched: 1, genuine: 4 });
  });

  it("says when the threshold came from --threshold instead of the manifest's operating point", () => {
    const run = fakeRun("clean", [0.9, 0.8], [0.1, 0.2], 0.5);
    expect(summaryTable(run)).toMatch(/accuracy @ shipped .*FMR 1e-4 operating point/);
    const given = { ...run, atShipped: { ...run.atShipped, operating: { ...run.atShipped.operating, overridden: true } } };
    expect(summaryTable(given)).toMatch(/accuracy @ --threshold .*given with --threshold/);
    expect(summaryTable(given)).not.toMatch(/operating point/);
  });

  it("formats tables with aligned columns and JSON with spelled-out infinities", () => {
    expect(
      formatTable(
        [
          ["a", "1.5%"],
          ["bbb", "10.25%"],
        ],
        ["name", "value"],
      ),
    ).toBe(["name  value", "----  ------", "a       1.5%", "bbb   10.25%"].join("\n"));
    expect(JSON.parse(toJson({ t: Infinity, s: -Infinity, e: Float32Array.from([0.5]) }))).toEqual({ t: "+Infinity", s: "-Infinity", e: [0.5] });
    expect(rate(1e-3)).toBe("1e-3");
  });

  it("writes self-contained HTML with the plots inline and the names escaped", () => {
    const html = htmlReport({
      title: "eval <1>",
      meta: { command: "npx tsx scripts/eval/main.ts" },
      runs: [fakeRun("clean", [0.9, 0.8], [0.1, 0.2], 0.5)],
      plots: { roc: "<svg id='roc'></svg>", det: "<svg id='det'></svg>" },
    });
    expect(html).toContain("<title>eval &lt;1&gt;</title>");
    expect(html).toContain("<svg id='roc'></svg>");
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("refuses to calibrate on held-out data", () => {
    expect(() => refuseHeldOut("../shared/data/lfw-dev/pairsDevTest.txt", "calibration")).toThrow(/held-out/);
    expect(() => refuseHeldOut("/work/shared/data/faces/pairs.csv", "calibration")).toThrow(/held-out/);
    expect(() => refuseHeldOut("../shared/data/lfw-dev/pairsDevTrain.txt", "calibration")).not.toThrow();
  });
});
