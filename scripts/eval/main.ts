/**
 * `npm run eval -- --pairs <file> --images <dir> [--perturb <name>|all] [--out <dir>] [--limit N]`
 * `npm run calibrate [-- --write-manifest]` (this file with --calibrate)
 * Run with --help for every option.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { runCalibration } from "./calibration/calibration-run.js";
import { DEFAULT_FMR_TARGETS } from "./calibration/calibrate.js";
import { commandLine, DEFAULT_LFW_DIR, DEFAULT_MANIFEST, intOption, numberOption, refuseHeldOut, runMain, UsageError } from "./cli.js";
import type { Variant } from "./embed/embed-images.js";
import { isPerturbation, PERTURBATIONS } from "./robustness/perturb.js";
import { runEvaluation } from "./run.js";

const HELP = `facegate evaluation and calibration

  npx tsx scripts/eval/main.ts --pairs <file> --images <dir> [options]
  npx tsx scripts/eval/main.ts --images <dir>            (folder per person, no pair file)
  npx tsx scripts/eval/main.ts --calibrate [--write-manifest]

pairs: LFW format ("name i j" / "name1 i name2 j"), or CSV with header file_x,file_y,Decision
       (Yes/No, paths relative to --images); without --pairs, --images is read as one folder per
       person: all genuine pairs plus --impostors N (default: as many) seeded impostor pairs.

options
  --perturb <name>|all   perturb the probe (second) image: ${PERTURBATIONS.join(", ")}
                         (the clean run is always included, for comparison)
  --out <dir>            output directory (default artifacts/eval/<pairs name>)
  --limit N              first N pairs, keeping the genuine/impostor proportion
  --impostors N --seed S impostor sampling for a folder-per-person directory
  --manifest <file>      default ${DEFAULT_MANIFEST}; thresholds are read from it
  --model <id>           embedding model id (default: the manifest's only one)
  --threshold <t>        evaluate at t instead of the manifest's operating threshold
  --embedder <module>    a module exporting createEmbedder() instead of the SDK pipeline
  --no-cache             do not read or write .cache/eval

calibration (--calibrate)
  --pairs <file>         default ${DEFAULT_LFW_DIR}/pairsDevTrain.txt (never DevTest)
  --check-pairs <file>   default ${DEFAULT_LFW_DIR}/pairsDevTest.txt
  --images <dir>         default ${DEFAULT_LFW_DIR}/images
  --fmr a,b,...          targets (default ${DEFAULT_FMR_TARGETS.join(",")})
  --write-manifest       write the thresholds into the manifest (otherwise only reported)
`;

runMain(async () => {
  const { values: v } = parseArgs({
    options: {
      pairs: { type: "string" },
      images: { type: "string" },
      perturb: { type: "string" },
      out: { type: "string" },
      limit: { type: "string" },
      impostors: { type: "string" },
      seed: { type: "string" },
      manifest: { type: "string", default: DEFAULT_MANIFEST },
      model: { type: "string" },
      threshold: { type: "string" },
      embedder: { type: "string" },
      "no-cache": { type: "boolean", default: false },
      calibrate: { type: "boolean", default: false },
      "check-pairs": { type: "string" },
      fmr: { type: "string" },
      "write-manifest": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return;
  }
  const command = commandLine("scripts/eval/main.ts");
  if (v.calibrate) {
    const pairs = v.pairs ?? path.join(DEFAULT_LFW_DIR, "pairsDevTrain.txt");
    refuseHeldOut(pairs, "calibration");
    const targets = v.fmr
      ? v.fmr.split(",").map((s) => {
          const x = Number(s);
          if (!(x > 0 && x <= 1)) throw new UsageError(`--fmr: '${s}' is not a rate in (0, 1]`);
          return x;
        })
      : [...DEFAULT_FMR_TARGETS];
    await runCalibration({
      pairs,
      checkPairs: v["check-pairs"] ?? (v.pairs ? undefined : path.join(DEFAULT_LFW_DIR, "pairsDevTest.txt")),
      images: v.images ?? path.join(DEFAULT_LFW_DIR, "images"),
      out: v.out ?? "artifacts/eval/calibration",
      manifest: v.manifest,
      model: v.model,
      embedder: v.embedder,
      cache: !v["no-cache"],
      writeManifest: v["write-manifest"],
      targets,
      command,
    });
    return;
  }
  if (v["write-manifest"]) throw new UsageError("--write-manifest only goes with --calibrate");
  if (!v.images) throw new UsageError(`--images is required\n\n${HELP}`);
  let variants: Variant[] = ["none"];
  if (v.perturb === "all") variants = ["none", ...PERTURBATIONS];
  else if (v.perturb) {
    if (!isPerturbation(v.perturb)) throw new UsageError(`unknown perturbation '${v.perturb}' (have ${PERTURBATIONS.join(", ")}, all)`);
    variants = ["none", v.perturb];
  }
  const name = v.pairs ? path.basename(v.pairs).replace(/\.[^.]+$/, "") : path.basename(path.resolve(v.images));
  await runEvaluation({
    pairs: v.pairs,
    images: v.images,
    variants,
    out: v.out ?? path.join("artifacts/eval", name),
    limit: intOption(v.limit, "limit"),
    impostors: intOption(v.impostors, "impostors"),
    seed: intOption(v.seed, "seed"),
    manifest: v.manifest,
    model: v.model,
    embedder: v.embedder,
    cache: !v["no-cache"],
    threshold: numberOption(v.threshold, "threshold"),
    command,
  });
});
