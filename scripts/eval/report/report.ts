/**
 * What a run prints and writes: a short fixed-width table for the terminal,
 * result.json, and a self-contained HTML report (inline SVG plots).
 */
import path from "node:path";
import type { Evaluation } from "../metrics/evaluate.js";
import type { Quantiles, ThresholdOutcome } from "../metrics/metrics.js";

export const pct = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "n/a");
export const num = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : x > 0 ? "+inf" : x < 0 ? "-inf" : "n/a");
/** 0.001 -> "1e-3". */
export const rate = (x: number): string => {
  const e = Math.log10(x);
  return Math.abs(e - Math.round(e)) < 1e-9 ? `1e${Math.round(e)}` : String(x);
};

/** Left-aligned columns, numbers right-aligned, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : [...rows];
  const n = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  const isNum = (s: string) => /^[+-]?[\d.,]+(%| ms|x)?$/.test(s.trim()) || /^[+-]\d/.test(s);
  const line = (r: readonly string[]) =>
    widths
      .map((w, c) => {
        const s = r[c] ?? "";
        return c > 0 && isNum(s) ? s.padStart(w) : s.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return out.join("\n");
}

function reasons(byReason: Record<string, number>): string {
  const e = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

function quantileLine(q: Quantiles | null): string {
  if (!q) return "n/a";
  return [q.min, q.p01, q.p05, q.p25, q.p50, q.p75, q.p95, q.p99, q.max].map((x) => x.toFixed(3)).join(" ");
}

function atLine(o: ThresholdOutcome): string {
  return `TAR ${pct(o.tar)}, FAR ${pct(o.far, 3)}, accuracy ${pct(o.accuracy)}`;
}

/** The terminal summary of one evaluation. */
export function summaryTable(ev: Evaluation): string {
  const m = ev.metrics;
  const f = ev.failures;
  const rows: string[][] = [
    ["pairs", String(m.genuinePairs + m.impostorPairs), "", `${m.genuinePairs} genuine + ${m.impostorPairs} impostor`],
    ["images lost", pct(f.images.fraction), "", `${f.images.failed} of ${f.images.total}: ${reasons(f.images.byReason)}`],
    ["ROC AUC", num(m.auc), "", ""],
    ["EER", pct(m.eer.eer), num(m.eer.threshold), "threshold near the EER"],
    ["best accuracy", pct(m.bestAccuracy.accuracy), num(m.bestAccuracy.threshold), "chosen on these pairs"],
    ["best balanced accuracy", pct(m.bestBalancedAccuracy.balancedAccuracy), num(m.bestBalancedAccuracy.threshold), ""],
    ev.atShipped.operating.overridden
      ? [
          `accuracy @ --threshold`,
          pct(ev.atShipped.operating.outcome.accuracy),
          num(ev.atShipped.operating.outcome.threshold),
          `the threshold given with --threshold (not the manifest's): ${atLine(ev.atShipped.operating.outcome)}`,
        ]
      : [
          `accuracy @ shipped`,
          pct(ev.atShipped.operating.outcome.accuracy),
          num(ev.atShipped.operating.outcome.threshold),
          `FMR ${rate(ev.atShipped.operating.fmr)} operating point: ${atLine(ev.atShipped.operating.outcome)}`,
        ],
    ...ev.atShipped.calibrated.map((c) => [
      `TAR @ calibrated FMR ${rate(c.fmr)}`,
      pct(c.outcome.tar),
      num(c.outcome.threshold),
      `FAR here ${pct(c.outcome.far, 3)} (${c.outcome.falseMatches}/${c.outcome.falseMatches + c.outcome.trueNonMatches})`,
    ]),
    ...m.tarAtFar.map((t) => [
      `TAR @ FAR ${rate(t.target)} (empirical)`,
      pct(t.tar),
      num(t.threshold),
      t.supported ? `FAR reached ${pct(t.far, 3)}` : `not supported: ${t.impostorPairs} impostors < ${t.minImpostors}`,
    ]),
    ["score quantiles", "", "", "min 1% 5% 25% 50% 75% 95% 99% max"],
    ["  genuine", "", "", quantileLine(m.quantiles.genuine)],
    ["  impostor", "", "", quantileLine(m.quantiles.impostor)],
  ];
  const timing = Object.entries(ev.timings)
    .map(([k, v]) => `${k} ${v.median.toFixed(1)}`)
    .join(", ");
  rows.push(["stage medians (ms)", "", "", timing || "n/a"]);
  const processed = ev.processedOnly;
  rows.push([
    "AUC, processed pairs only",
    num(processed.auc),
    "",
    `best accuracy ${pct(processed.bestAccuracy.accuracy)} on ${processed.genuinePairs} + ${processed.impostorPairs} pairs`,
  ]);
  return `${ev.name}\n${formatTable(rows, ["metric", "value", "threshold", "note"])}`;
}

/** JSON with non-finite numbers spelled out ("+Infinity"), since JSON has none. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
      if (v instanceof Float32Array || v instanceof Float64Array) return Array.from(v);
      if (v instanceof Map) return Object.fromEntries(v);
      return v;
    },
    2,
  );
}

export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** An HTML table, escaped; every column after the first is set as a number column (tabular figures, no wrapping). */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c, k) => `<td${k > 0 ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<div class="wide"><table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table></div>`;
}

export interface HtmlReportInput {
  title: string;
  /** Key facts (command, date, model, data...), shown as a definition list. */
  meta: Record<string, string>;
  runs: readonly Evaluation[];
  plots: { roc: string; det: string };
  /** Extra sections already in HTML (e.g. calibration). */
  extra?: string;
}

/** A self-contained HTML report: metric, failure, quantile and timing tables per run, and the plots. */
export function htmlReport(input: HtmlReportInput): string {
  const runs = input.runs;
  const names = runs.map((r) => r.name);
  const metricRows: string[][] = [
    ["genuine / impostor pairs", ...runs.map((r) => `${r.metrics.genuinePairs} / ${r.metrics.impostorPairs}`)],
    ["images lost", ...runs.map((r) => `${r.failures.images.failed}/${r.failures.images.total} (${pct(r.failures.images.fraction)})`)],
    ["ROC AUC", ...runs.map((r) => num(r.metrics.auc))],
    ["EER", ...runs.map((r) => pct(r.metrics.eer.eer))],
    ["best accuracy", ...runs.map((r) => `${pct(r.metrics.bestAccuracy.accuracy)} @ ${num(r.metrics.bestAccuracy.threshold)}`)],
    ["best balanced accuracy", ...runs.map((r) => pct(r.metrics.bestBalancedAccuracy.balancedAccuracy))],
    ["accuracy @ shipped threshold", ...runs.map((r) => `${pct(r.atShipped.operating.outcome.accuracy)} @ ${num(r.atShipped.operating.outcome.threshold)}`)],
    ["TAR / FAR @ shipped threshold", ...runs.map((r) => `${pct(r.atShipped.operating.outcome.tar)} / ${pct(r.atShipped.operating.outcome.far, 3)}`)],
  ];
  const calibratedFmrs = runs[0]?.atShipped.calibrated.map((c) => c.fmr) ?? [];
  for (const [k, fmr] of calibratedFmrs.entries()) {
    metricRows.push([
      `TAR @ calibrated FMR ${rate(fmr)}`,
      ...runs.map((r) => {
        const c = r.atShipped.calibrated[k]!;
        return `${pct(c.outcome.tar)} (FAR ${pct(c.outcome.far, 3)})`;
      }),
    ]);
  }
  for (const [k, t] of (runs[0]?.metrics.tarAtFar ?? []).entries()) {
    metricRows.push([
      `TAR @ FAR ${rate(t.target)} (empirical)`,
      ...runs.map((r) => {
        const x = r.metrics.tarAtFar[k]!;
        return x.supported ? pct(x.tar) : `${pct(x.tar)} (n/s)`;
      }),
    ]);
  }
  metricRows.push(["processed pairs only: AUC", ...runs.map((r) => num(r.processedOnly.auc))]);
  metricRows.push(["processed pairs only: best accuracy", ...runs.map((r) => pct(r.processedOnly.bestAccuracy.accuracy))]);

  const reasonsAll = [...new Set(runs.flatMap((r) => Object.keys(r.failures.images.byReason)))].sort();
  const failureRows = reasonsAll.map((why) => [why, ...runs.map((r) => String(r.failures.images.byReason[why] ?? 0))]);
  failureRows.push(["genuine pairs failed (false non-matches)", ...runs.map((r) => String(r.failures.genuinePairs.failed))]);
  failureRows.push(["impostor pairs failed (correct non-matches)", ...runs.map((r) => String(r.failures.impostorPairs.failed))]);

  const qHeader = ["run", "scores", "n", "min", "1%", "5%", "25%", "50%", "75%", "95%", "99%", "max"];
  const qRows: string[][] = [];
  for (const r of runs) {
    for (const [label, q] of [
      ["genuine", r.metrics.quantiles.genuine],
      ["impostor", r.metrics.quantiles.impostor],
    ] as const) {
      qRows.push(
        q
          ? [r.name, label, String(q.count), ...[q.min, q.p01, q.p05, q.p25, q.p50, q.p75, q.p95, q.p99, q.max].map((x) => x.toFixed(3))]
          : [r.name, label, "0"],
      );
    }
  }
  const stages = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const timingRows = stages.map((s) => [s, ...runs.map((r) => (r.timings[s] ? `${r.timings[s]!.median.toFixed(1)} ms` : ""))]);
  const examples = runs.flatMap((r) => r.failures.examples.map((e) => [r.name, e.reason, path.relative(process.cwd(), e.file), e.message]));

  const meta = Object.entries(input.meta)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f5f5f5}.wide{overflow-x:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.plots{display:flex;flex-wrap:wrap;gap:1em}.plots svg{max-width:100%;height:auto;border:1px solid #eee}
.note{color:#555}
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<dl>${meta}</dl>
<h2>Metrics</h2>
<p class="note">Match iff cosine &ge; threshold. Pairs the pipeline could not process count as non-matches (a failed genuine pair is a false non-match, a failed impostor pair a correct one). "Empirical" TAR at a FAR is read off these pairs' own ROC and needs at least 10/FAR impostor pairs to be supported; "calibrated" uses the manifest's thresholds, fixed beforehand on DevTrain. (n/s): not supported, fewer than 10/FAR impostor pairs; shown, but not evidence.</p>
${htmlTable(["metric", ...names], metricRows)}
<h2>Plots</h2>
<div class="plots">${input.plots.roc}${input.plots.det}</div>
<h2>Failures to process (images, by reason)</h2>
${failureRows.length ? htmlTable(["reason", ...names], failureRows) : "<p>None.</p>"}
${examples.length ? htmlTable(["run", "reason", "file", "message"], examples.slice(0, 40)) : ""}
<h2>Score quantiles (processed pairs)</h2>
${htmlTable(qHeader, qRows)}
<h2>Per-stage timing (median per image)</h2>
<p class="note">Wall time per image as reported by the pipeline, plus decoding and perturbation here; cached results keep the timings of the run that computed them.</p>
${timingRows.length ? htmlTable(["stage", ...names], timingRows) : "<p>No timings.</p>"}
${input.extra ?? ""}
</body></html>
`;
}
