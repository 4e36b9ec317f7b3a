/**
 * The second half of every run: what it leaves in its output directory.
 * Every entry writes result.json (what the numbers are, with provenance)
 * and its plots through here, so a report looks the same whichever entry
 * made it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Evaluation } from "../metrics/evaluate.js";
import { detScene, rocScene, sceneToPng, sceneToSvg, type Curve } from "./plot.js";
import { num } from "./report.js";

/** Writes each file into `dir` (created if missing) and returns their paths, in order. */
export async function writeArtifacts(dir: string, files: Record<string, string | Uint8Array>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, body] of Object.entries(files)) {
    const file = path.join(dir, name);
    await writeFile(file, body);
    written.push(file);
  }
  return written;
}

/** "wrote a/result.json, roc.png, ...": the first path in full, the rest by name. */
export function wroteLine(paths: readonly string[]): string {
  return `wrote ${paths.map((p, k) => (k === 0 ? p : path.basename(p))).join(", ")}`;
}

/**
 * ROC and DET of evaluation runs, each curve marked where the run stands at
 * the operating threshold: the image files, and the SVGs for report.html.
 */
export function rocDetPlots(runs: readonly Evaluation[], o: { title: string; markerNote: string }) {
  const curves: Curve[] = runs.map((r) => ({
    label: `${r.name}  AUC ${num(r.metrics.auc)}`,
    points: r.metrics.roc,
    marker: { far: r.atShipped.operating.outcome.far, tar: r.atShipped.operating.outcome.tar },
  }));
  const roc = rocScene(curves, { title: `ROC - ${o.title}`, markerNote: o.markerNote });
  const det = detScene(curves, { title: `DET - ${o.title}`, markerNote: o.markerNote });
  const svg = { roc: sceneToSvg(roc), det: sceneToSvg(det) };
  return { files: { "roc.png": sceneToPng(roc), "det.png": sceneToPng(det), "roc.svg": svg.roc, "det.svg": svg.det }, svg };
}
