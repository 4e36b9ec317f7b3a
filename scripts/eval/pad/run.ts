/**
 * One eval:pad run: presentations -> per-model scores (score.ts, or a saved
 * scores.json) -> each candidate alone and the fused policy (fuse.ts) ->
 * ISO/IEC 30107-3 rates (metrics.ts) -> table, result.json, det.png/svg.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { toJson } from "../report/report.js";
import { TOOL_NAME, TOOL_VERSION } from "../types.js";
import { loadPresentations, select, type Selection } from "./dataset.js";
import { fuseBursts, fuseImages, fitFusion, type FusionPolicy } from "./fuse.js";
import { bpcerAtApcer, padMetrics, type PadMetrics, type ScoredPresentation } from "./metrics.js";
import { candidateTable, CAVEAT, detPlot, sectionTable, type CandidateSummary } from "./report.js";
import { scorePresentations, type Candidate, type ScoredImage } from "./score.js";

export interface Burst {
  frames: number;
  /** Frames whose `rel` path gives the same first capture group belong to one capture; others are left out. */
  group: RegExp;
}

export interface PadRunOptions {
  data: string;
  modelsDir: string;
  candidates: readonly Candidate[];
  /** The decision to evaluate; default: the manifest's, or each candidate alone when there is only one. */
  fusion?: FusionPolicy;
  threshold?: number;
  thresholdFrom?: string;
  selection?: Selection;
  qualityGates?: boolean;
  burst?: Burst;
  /** Reuse the per-model scores of an earlier run (its scores.json, selected again) instead of running the pipeline. */
  scoresFile?: string;
  /** Fit the fusion weights (when several candidates) and choose the threshold on this data. */
  calibrate?: boolean;
  /** With calibrate: the worst-type APCER the threshold must reach on this data. */
  apcerTarget?: number;
  out: string;
  command: string;
  quiet?: boolean;
}

export interface PadRunResult {
  images: ScoredImage[];
  presentations: ScoredPresentation[];
  policy: FusionPolicy & { threshold: number };
  metrics: PadMetrics;
  candidates: CandidateSummary[];
  json: Record<string, unknown>;
  text: string;
}

/**
 * The calibration rule: the lowest threshold at which every attack type's
 * APCER is at most the target (10%: the project's bar) on the development
 * data; BPCER is then what it is, and is reported beside it.
 */
export function chooseThreshold(items: readonly ScoredPresentation[], apcerTarget: number): number {
  return bpcerAtApcer(items, apcerTarget).threshold;
}

export async function runPadEvaluation(o: PadRunOptions): Promise<PadRunResult> {
  let images: ScoredImage[];
  if (o.scoresFile) {
    images = select(JSON.parse(await readFile(o.scoresFile, "utf8")) as ScoredImage[], o.selection ?? {});
  } else {
    const items = select(await loadPresentations(o.data), o.selection ?? {});
    if (items.length === 0) throw new Error(`no presentations selected from ${o.data}`);
    images = await scorePresentations(items, {
      modelsDir: o.modelsDir,
      candidates: o.candidates,
      qualityGates: o.qualityGates !== false,
      ...(o.quiet ? { quiet: true } : {}),
    });
  }
  const names = o.candidates.map((c) => c.name);
  for (const im of images) {
    if (im.scores && names.some((n) => im.scores![n] === undefined)) throw new Error(`${im.rel}: no score for every candidate (${names.join(", ")})`);
  }
  const fuse = (policy: FusionPolicy) =>
    o.burst ? fuseBursts(images, policy, o.burst.frames, (im) => o.burst!.group.exec(im.rel)?.[1] ?? null) : fuseImages(images, policy);

  let fusion = o.fusion ?? (names.length === 1 ? { models: names, weights: { [names[0]!]: 1 }, bias: 0 } : null);
  if (o.calibrate && names.length > 1) {
    // Rounded as the manifest stores them, before the threshold is chosen on the fused scores.
    const fit = fitFusion(images, names);
    const r6 = (x: number) => Number(x.toFixed(6));
    fusion = { models: fit.models, weights: Object.fromEntries(Object.entries(fit.weights).map(([k, w]) => [k, r6(w)])), bias: r6(fit.bias) };
  }
  if (!fusion) throw new Error("several candidates and no fusion: give --fusion, or --calibrate to fit it");
  const presentations = fuse(fusion);
  let threshold = o.threshold;
  let thresholdFrom = o.thresholdFrom ?? "--threshold";
  if (o.calibrate) {
    // Stored to 6 decimals, rounded down so the presentation that sets it stays on the bona fide side.
    threshold = Math.floor(chooseThreshold(presentations, o.apcerTarget ?? 0.1) * 1e6) / 1e6;
    thresholdFrom = `chosen here: the lowest threshold with every type's APCER <= ${(o.apcerTarget ?? 0.1) * 100}%`;
  }
  if (threshold === undefined) throw new Error("no threshold: the manifest has none for this policy, give --threshold or --calibrate");
  const metrics = padMetrics(presentations, threshold);
  const candidates: CandidateSummary[] = names.map((n) => ({ name: n, metrics: padMetrics(fuse({ models: [n], weights: { [n]: 1 }, bias: 0 }), 0.5) }));
  if (names.length > 1) candidates.push({ name: "fused", metrics });

  const sources = [...new Set(images.map((im) => im.source))].sort();
  const bySource =
    sources.length > 1 && !o.burst
      ? sources
          .map((src) => {
            const idx = images.flatMap((im, k) => (im.source === src ? [k] : []));
            return {
              source: src,
              metrics: padMetrics(
                idx.map((k) => presentations[k]!),
                threshold,
              ),
            };
          })
          .filter((s) => s.metrics.operating.bpcer.presentations + s.metrics.operating.apcerPooled.presentations > 0)
      : [];
  const refusals: Record<string, Record<string, number>> = {};
  for (const im of images) {
    if (!im.refused) continue;
    refusals[im.type] ??= {};
    refusals[im.type]![im.refused] = (refusals[im.type]![im.refused] ?? 0) + 1;
  }
  const title = `facegate eval:pad ${path.basename(o.data)}${o.burst ? ` (bursts of ${o.burst.frames})` : ""}`;
  const plotTitle = `DET: ${title.replace("facegate eval:pad ", "")}`;
  const text = [
    candidateTable(candidates),
    "",
    sectionTable({ title, metrics, thresholdFrom }),
    ...bySource.flatMap((s) => ["", sectionTable({ title: `  ${s.source}`, metrics: s.metrics, thresholdFrom })]),
    "",
    `refused before PAD, by type and reason: ${JSON.stringify(refusals)}`,
  ].join("\n");

  const json: Record<string, unknown> = {
    tool: `${TOOL_NAME} ${TOOL_VERSION} (scripts/eval/pad)`,
    createdAt: new Date().toISOString(),
    command: o.command,
    caveat: CAVEAT,
    data: {
      source: o.data,
      selection: o.selection ?? {},
      qualityGates: o.qualityGates !== false,
      burst: o.burst ? { frames: o.burst.frames, group: o.burst.group.source } : null,
    },
    candidates: o.candidates,
    policy: { ...fusion, threshold, thresholdFrom },
    metrics,
    bySource,
    eachCandidate: candidates,
    refusals,
  };
  await mkdir(o.out, { recursive: true });
  await writeFile(path.join(o.out, "result.json"), toJson(json));
  await writeFile(path.join(o.out, "scores.json"), JSON.stringify(images));
  const plot = detPlot(presentations, plotTitle, threshold);
  await writeFile(path.join(o.out, "det.png"), plot.png);
  await writeFile(path.join(o.out, "det.svg"), plot.svg);
  return { images, presentations, policy: { ...fusion, threshold }, metrics, candidates, json, text };
}
