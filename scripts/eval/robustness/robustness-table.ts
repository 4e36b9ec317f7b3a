/**
 * The robustness table: each perturbed run beside the clean one, at two
 * thresholds: the manifest's calibrated FMR 1e-3 point and the operating
 * point the product decides at (FMR 1e-4, `embedding.threshold`). Changes
 * are in percentage points, with the counts behind every rate (500 genuine
 * pairs make one pair 0.2 points).
 */
import type { Evaluation } from "../metrics/evaluate.js";
import type { ShippedThresholds } from "../calibration/manifest.js";
import { atThreshold } from "../metrics/metrics.js";
import { escapeHtml, formatTable, htmlTable, num, pct, rate } from "../report/report.js";

export const TAR_FMR = 1e-3;
/** No perturbation may cost more than this many points of TAR at the operating point (docs/ACCURACY.md). */
export const BUDGET_POINTS = 3;

/** TAR at one threshold, with its counts. */
export interface TarAt {
  threshold: number;
  tar: number;
  /** Genuine pairs at or above the threshold, of `genuine`. */
  matched: number;
  genuine: number;
  /** Points against the clean run (0 for the clean run). */
  delta: number;
  /** Listed impostor pairs at or above the threshold, of `impostor`. */
  falseMatches: number;
  impostor: number;
}

export interface RobustnessRow {
  run: string;
  /** At the calibrated FMR 1e-3 threshold. */
  at1e3: TarAt;
  /** At the shipped operating threshold (the manifest's `threshold`). */
  atOperating: TarAt;
  accuracy: number;
  accuracyDelta: number;
  /** Genuine pairs whose probe (or reference) the pipeline refused, and why. */
  genuineRefused: number;
  refusedByReason: Record<string, number>;
  /** Distinct images of the run the pipeline refused (references and probes). */
  imagesLost: number;
  /** Over the budget at the operating point. */
  overBudget: boolean;
  /** Over the budget at the FMR 1e-3 threshold. */
  overBudgetAt1e3: boolean;
}

/** "At most 3 points": exactly 3 (15 of 500 pairs) is within it, whatever the last bit of 100 * (a - b) says. */
const overBudget = (delta: number) => delta < -BUDGET_POINTS - 1e-9;

/** One row per run, deltas in percentage points against the first (clean) run. */
export function robustnessRows(runs: readonly Evaluation[], tarThreshold: number, operatingThreshold?: number): RobustnessRow[] {
  const base = runs[0]!;
  const opT = operatingThreshold ?? base.atShipped.operating.outcome.threshold;
  const at = (r: Evaluation, t: number) => atThreshold(r.scores.genuine, r.scores.impostor, t);
  const pts = (a: number, b: number) => 100 * (a - b);
  const tarAt = (r: Evaluation, t: number): TarAt => {
    const o = at(r, t);
    return {
      threshold: t,
      tar: o.tar,
      matched: o.trueMatches,
      genuine: o.trueMatches + o.falseNonMatches,
      delta: pts(o.tar, at(base, t).tar),
      falseMatches: o.falseMatches,
      impostor: o.falseMatches + o.trueNonMatches,
    };
  };
  return runs.map((r) => {
    const at1e3 = tarAt(r, tarThreshold);
    const atOperating = tarAt(r, opT);
    const acc = at(r, opT).accuracy;
    return {
      run: r.name,
      at1e3,
      atOperating,
      accuracy: acc,
      accuracyDelta: pts(acc, at(base, opT).accuracy),
      genuineRefused: r.failures.genuinePairs.failed,
      refusedByReason: r.failures.genuinePairs.byReason,
      imagesLost: r.failures.images.failed,
      overBudget: overBudget(atOperating.delta),
      overBudgetAt1e3: overBudget(at1e3.delta),
    };
  });
}

const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
const reasons = (byReason: Record<string, number>) =>
  Object.entries(byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

export function robustnessSummary(tarThreshold: number, source: string) {
  return (runs: Evaluation[], shipped: ShippedThresholds) => {
    const rows = robustnessRows(runs, tarThreshold, shipped.threshold);
    const op = `FMR ${rate(shipped.operatingFmr)}${shipped.overridden ? " (--threshold)" : ""}`;
    const header = [
      "probe",
      `TAR @ FMR 1e-3 (t=${num(tarThreshold)})`,
      "matched",
      "delta pts",
      `TAR @ ${op} (t=${num(shipped.threshold)})`,
      "matched",
      "delta pts",
      "FM @ op",
      "genuine pairs refused",
      "images lost",
      "",
    ];
    const cells = rows.map((r, k) => [
      r.run,
      pct(r.at1e3.tar),
      `${r.at1e3.matched}/${r.at1e3.genuine}`,
      k === 0 ? "" : signed(r.at1e3.delta),
      pct(r.atOperating.tar),
      `${r.atOperating.matched}/${r.atOperating.genuine}`,
      k === 0 ? "" : signed(r.atOperating.delta),
      `${r.atOperating.falseMatches}/${r.atOperating.impostor}`,
      r.genuineRefused ? `${r.genuineRefused} (${reasons(r.refusedByReason)})` : "0",
      String(r.imagesLost),
      r.overBudget ? `over the ${BUDGET_POINTS}-point budget at ${op}` : r.overBudgetAt1e3 ? `over the ${BUDGET_POINTS}-point budget at FMR 1e-3` : "",
    ]);
    const text = `robustness (threshold for FMR 1e-3: ${source}; operating threshold: ${op} from the manifest)\n${formatTable(cells, header)}`;
    const html =
      `<h2>Robustness</h2><p>Probe image perturbed, reference clean. TAR at ${num(tarThreshold)} (${escapeHtml(source)}) and at the ` +
      `operating threshold ${num(shipped.threshold)} (${escapeHtml(op)}), with genuine pairs matched; deltas in percentage points against the clean run; ` +
      `FM = listed impostor pairs matched at the operating threshold. A refused image counts as a non-match.</p>` +
      htmlTable(header, cells);
    return {
      key: "robustness",
      text,
      html,
      json: {
        tarFmr: TAR_FMR,
        tarThreshold,
        tarThresholdSource: source,
        operatingFmr: shipped.operatingFmr,
        operatingThreshold: shipped.threshold,
        budgetPoints: BUDGET_POINTS,
        rows,
      },
    };
  };
}
