/**
 * The robustness table for DevTest probes perturbed by ImageMagick
 * (scripts/eval/imagemagick-probes.sh makes them; docs/ACCURACY.md): one
 * evaluation per CSV pair file, clean first, then the same summary as
 * `npm run eval:robustness`. Not part of npm test (it needs ImageMagick).
 *
 *   npx tsx scripts/eval/imagemagick-check.ts [--dir artifacts/imagemagick] [--out artifacts/eval/imagemagick]
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { commandLine, DEFAULT_MANIFEST, runMain, UsageError } from "./cli.js";
import type { Evaluation } from "./metrics/evaluate.js";
import { readShippedThresholds, shippedThresholdFor } from "./calibration/manifest.js";
import { toJson } from "./report/report.js";
import { robustnessSummary, TAR_FMR } from "./robustness/robustness-table.js";
import { runEvaluation } from "./run.js";

const VARIANTS = ["modulate60", "modulate140", "rotate15", "impulse", "blur2", "quality30"];

runMain(async () => {
  const { values: v } = parseArgs({
    options: {
      dir: { type: "string", default: "artifacts/imagemagick" },
      out: { type: "string", default: "artifacts/eval/imagemagick" },
      manifest: { type: "string", default: DEFAULT_MANIFEST },
    },
    strict: true,
  });
  const shipped = await readShippedThresholds(v.manifest);
  const t3 = shippedThresholdFor(shipped, TAR_FMR);
  if (t3 === undefined) throw new UsageError(`${v.manifest} has no calibrated FMR 1e-3 threshold`);
  const runs: Evaluation[] = [];
  for (const name of ["none", ...VARIANTS]) {
    const r = await runEvaluation({
      pairs: path.join(v.dir, `${name}.csv`),
      images: v.dir,
      variants: ["none"],
      out: path.join(v.out, name),
      manifest: v.manifest,
      cache: true,
      command: commandLine("scripts/eval/imagemagick-check.ts"),
    });
    runs.push({ ...r.runs[0]!, name: name === "none" ? "clean" : `ImageMagick ${name}` });
  }
  const summary = robustnessSummary(t3, `${v.manifest}, calibrated FMR 1e-3`)(runs, shipped);
  console.log(`\n${summary.text}`);
  await writeFile(path.join(v.out, "robustness.json"), toJson(summary.json));
});
