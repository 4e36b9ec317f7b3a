/**
 * What eval:pad prints and writes: a readable table (rates with their counts
 * and subjects beside them), result.json, and the DET plot (PNG and SVG,
 * drawn by scripts/eval/report/plot.ts).
 */
import { detScene, sceneToPng, sceneToSvg, type Curve } from "../report/plot.js";
import { formatTable, num, pct } from "../report/report.js";
import { BONA_FIDE, detCurve, type PadMetrics, type PadOutcome, type Rate, type ScoredPresentation } from "./metrics.js";

export const CAVEAT = "a sanity check on few subjects, not an ISO/IEC 30107-3 certification figure";

const rateCell = (r: Rate) => pct(r.rate, 1);
const countCell = (r: Rate) => `${r.errors}/${r.presentations}`;
const subjectCell = (r: Rate) => `${r.subjects} (${r.subjectsWithErrors} with errors)`;

export function outcomeRows(o: PadOutcome, refusedBona: number): string[][] {
  return [
    ["BPCER", "bona fide", rateCell(o.bpcer), countCell(o.bpcer), subjectCell(o.bpcer), pct(o.bpcer.upper95, 1), String(refusedBona)],
    ...o.apcer.map((t) => ["APCER", t.type, rateCell(t.error), countCell(t.error), subjectCell(t.error), pct(t.error.upper95, 1), String(t.refused)]),
  ];
}

const HEADER = ["rate", "type", "value", "errors/n", "subjects", "95% upper", "refused before PAD"];

export interface Section {
  title: string;
  metrics: PadMetrics;
  /** Where the threshold came from, for the reader. */
  thresholdFrom: string;
}

/** The terminal table of one evaluation: the operating point, per-type rates, BPCER at APCER 10% and 5%. */
export function sectionTable(s: Section): string {
  const m = s.metrics;
  const o = m.operating;
  const p = m.presentations;
  const lines = [
    `${s.title}: ${p.bonaFide} bona fide + ${p.attacks} attack presentations, ${p.subjects} subjects (${CAVEAT})`,
    `operating point: bona fide iff score >= ${num(o.threshold)} (${s.thresholdFrom})`,
    formatTable(outcomeRows(o, p.refusedBonaFide), HEADER),
    o.worst
      ? `headline: worst attack type ${o.worst.type}, APCER ${pct(o.worst.error.rate, 1)} (${countCell(o.worst.error)}, ${o.worst.error.subjects} subjects); BPCER ${pct(o.bpcer.rate, 1)} (${countCell(o.bpcer)}, ${o.bpcer.subjects} subjects)`
      : "no attack presentations",
    ...m.bpcerAtApcer.map(
      (b) =>
        `BPCER @ APCER <= ${pct(b.target, 0)} (every type): ${pct(b.outcome.bpcer.rate, 1)} (${countCell(b.outcome.bpcer)}) at threshold ${num(b.threshold)}` +
        (b.outcome.worst ? `, worst type there ${b.outcome.worst.type} ${pct(b.outcome.worst.error.rate, 1)}` : ""),
    ),
    `EER (all attacks pooled): ${pct(m.eer.eer, 1)} at threshold ${num(m.eer.threshold)}`,
  ];
  return lines.join("\n");
}

export interface CandidateSummary {
  name: string;
  metrics: PadMetrics;
}

/** One line per candidate (each model alone, and the fusion): how well it separates, whatever the threshold. */
export function candidateTable(rows: readonly CandidateSummary[]): string {
  return formatTable(
    rows.map((r) => {
      const [b10, b5] = r.metrics.bpcerAtApcer;
      const at = (b: typeof b10) =>
        b ? `${pct(b.outcome.bpcer.rate, 1)} (${b.outcome.bpcer.errors}/${b.outcome.bpcer.presentations}) @ ${num(b.threshold, 4)}` : "";
      return [r.name, `${pct(r.metrics.eer.eer, 1)} @ ${num(r.metrics.eer.threshold, 4)}`, at(b10), at(b5)];
    }),
    ["candidate", "EER (pooled)", "BPCER @ APCER<=10%", "BPCER @ APCER<=5%"],
  );
}

/** DET curves: one per attack type and all attacks pooled, against all bona fide presentations. */
export function detPlot(items: readonly ScoredPresentation[], title: string, threshold: number): { png: Buffer; svg: string } {
  const types = [...new Set(items.filter((p) => p.type !== BONA_FIDE).map((p) => p.type))].sort();
  const curves: Curve[] = [null, ...types].map((type) => {
    const det = detCurve(items, type);
    const at = det.find((d) => d.threshold >= threshold) ?? det[det.length - 1]!;
    return {
      label: type ?? "all attacks",
      points: det.map((d) => ({ far: d.apcer, tar: 1 - d.bpcer })),
      marker: { far: at.apcer, tar: 1 - at.bpcer },
    };
  });
  const scene = detScene(curves, {
    title,
    markerNote: `o: at threshold ${num(threshold, 3)}`,
    axes: { x: "APCER (normal deviate scale)", y: "BPCER" },
    range: [0.005, 0.95],
  });
  return { png: sceneToPng(scene), svg: sceneToSvg(scene) };
}
