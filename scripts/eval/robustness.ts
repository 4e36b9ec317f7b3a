/**
 * `npm run eval:robustness`: DevTest clean and under every perturbation of
 * the probe image (perturb.ts), TAR at the calibrated FMR 1e-3 threshold and
 * at the operating threshold the product ships (FMR 1e-4), with counts,
 * each beside the clean run with the change in points. The budget
 * (docs/ACCURACY.md): no perturbation costs more than 3 points of TAR at
 * the operating point.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { commandLine, DEFAULT_LFW_DIR, DEFAULT_MANIFEST, intOption, numberOption, runMain, UsageError } from "./cli.js";
import { readShippedThresholds, shippedThresholdFor } from "./calibration/manifest.js";
import { isPerturbation, PERTURBATIONS, type PerturbationName } from "./robustness/perturb.js";
import { robustnessSummary, TAR_FMR } from "./robustness/robustness-table.js";
import { runEvaluation } from "./run.js";

runMain(async () => {
  const { values: v } = parseArgs({
    options: {
      pairs: { type: "string", default: path.join(DEFAULT_LFW_DIR, "pairsDevTest.txt") },
      images: { type: "string", default: path.join(DEFAULT_LFW_DIR, "images") },
      out: { type: "string", default: "artifacts/eval/robustness" },
      limit: { type: "string" },
      manifest: { type: "string", default: DEFAULT_MANIFEST },
      model: { type: "string" },
      embedder: { type: "string" },
      "tar-threshold": { type: "string" },
      variants: { type: "string" },
      "no-cache": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (v.help) {
    console.log(`npx tsx scripts/eval/robustness.ts [--pairs <file>] [--images <dir>] [--out <dir>] [--limit N]
  [--manifest <file>] [--model <id>] [--embedder <module>] [--tar-threshold <t>] [--variants a,b,...] [--no-cache]
Defaults: DevTest pairs from ${DEFAULT_LFW_DIR}; TAR at the manifest's calibrated FMR 1e-3 threshold and at its
operating threshold; every perturbation (${PERTURBATIONS.join(", ")}).`);
    return;
  }
  const shipped = await readShippedThresholds(v.manifest, v.model);
  const override = numberOption(v["tar-threshold"], "tar-threshold");
  const calibrated = shippedThresholdFor(shipped, TAR_FMR);
  const tarThreshold = override ?? calibrated;
  if (tarThreshold === undefined) {
    throw new UsageError(
      `${v.manifest} has no calibrated threshold for FMR 1e-3: run \`npm run calibrate -- --write-manifest\` first, or pass --tar-threshold`,
    );
  }
  const chosen: PerturbationName[] = v.variants
    ? v.variants.split(",").map((s) => {
        if (!isPerturbation(s)) throw new UsageError(`--variants: unknown perturbation '${s}' (have ${PERTURBATIONS.join(", ")})`);
        return s;
      })
    : [...PERTURBATIONS];
  const source = override !== undefined ? "--tar-threshold" : `${v.manifest}, calibrated FMR 1e-3`;
  await runEvaluation({
    pairs: v.pairs,
    images: v.images,
    variants: ["none", ...chosen],
    out: v.out,
    limit: intOption(v.limit, "limit"),
    manifest: v.manifest,
    model: v.model,
    embedder: v.embedder,
    cache: !v["no-cache"],
    title: `robustness: ${path.basename(v.pairs)}`,
    command: commandLine("scripts/eval/robustness.ts"),
    summarize: robustnessSummary(tarThreshold, source),
  });
});
