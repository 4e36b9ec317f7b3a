/** The robustness table: each perturbed run beside the clean one, in percentage points. */
import type { Evaluation } from "./evaluate.js";
import type { ShippedThresholds } from "./manifest.js";
import { atThreshold } from "./metrics.js";
import { escapeHtml, formatTable, num, pct } from "./report.js";

export const TAR_FMR = 1e-3;
export const BUDGET_POINTS = 3;

export interface RobustnessRow {
  run: string;
  tar: number;
  tarDelta: number;
  accuracy: number;
  accuracyDelta: number;
  bestAccuracy: number;
  bestAccuracyDelta: number;
  imagesLost: number;
  overBudget: boolean;
}

/** One row per run, deltas in percentage points against the first (clean) run. */
export function robustnessRows(runs: readonly Evaluation[], tarThreshold: number): RobustnessRow[] {
  const base = runs[0]!;
  const tarOf = (r: Evaluation) => atThreshold(r.scores.genuine, r.scores.impostor, tarThreshold).tar;
  const pts = (a: number, b: number) => 100 * (a - b);
  return runs.map((r) => {
    const tarDelta = pts(tarOf(r), tarOf(base));
    return {
      run: r.name,
      tar: tarOf(r),
      tarDelta,
      accuracy: r.atShipped.operating.outcome.accuracy,
      accuracyDelta: pts(r.atShipped.operating.outcome.accuracy, base.atShipped.operating.outcome.accuracy),
      bestAccuracy: r.metrics.bestAccuracy.accuracy,
      bestAccuracyDelta: pts(r.metrics.bestAccuracy.accuracy, base.metrics.bestAccuracy.accuracy),
      imagesLost: r.failures.images.failed,
      overBudget: tarDelta < -BUDGET_POINTS,
    };
  });
}

const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;

export function robustnessSummary(tarThreshold: number, source: string) {
  return (runs: Evaluation[], shipped: ShippedThresholds) => {
    const rows = robustnessRows(runs, tarThreshold);
    const header = [
      "probe",
      `TAR @ FMR 1e-3 (t=${num(tarThreshold)})`,
      "delta pts",
      `accuracy @ ${num(shipped.threshold)}`,
      "delta pts",
      "best accuracy",
      "delta pts",
      "images lost",
      "",
    ];
    const cells = rows.map((r, k) => [
      r.run,
      pct(r.tar),
      k === 0 ? "" : signed(r.tarDelta),
      pct(r.accuracy),
      k === 0 ? "" : signed(r.accuracyDelta),
      pct(r.bestAccuracy),
      k === 0 ? "" : signed(r.bestAccuracyDelta),
      String(r.imagesLost),
      r.overBudget ? `over the ${BUDGET_POINTS}-point budget` : "",
    ]);
    const text = `robustness (threshold for TAR: ${source})\n${formatTable(cells, header)}`;
    const html =
      `<h2>Robustness</h2><p>Probe image perturbed, reference clean. TAR at ${num(tarThreshold)} (${escapeHtml(source)}); ` +
      `accuracy at the operating threshold ${num(shipped.threshold)}; deltas in percentage points against the clean run.</p>` +
      `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>` +
      cells.map((c) => `<tr>${c.map((x) => `<td>${escapeHtml(x)}</td>`).join("")}</tr>`).join("") +
      `</tbody></table>`;
    return { key: "robustness", text, html, json: { tarFmr: TAR_FMR, tarThreshold, tarThresholdSource: source, budgetPoints: BUDGET_POINTS, rows } };
  };
}

