/**
 * `npm run eval:pad -- [--data <index.csv|dir>] [options]`: presentation-attack
 * detection measured the ISO/IEC 30107-3 way. Run with --help for every option.
 */
import path from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { padPolicy } from "../../../client/src/pipeline/load/preprocessing.js";
import { readManifest } from "../../../client/src/runtime/model-dir-node.js";
import { commandLine, intOption, numberOption, runMain, UsageError } from "../cli.js";
import { setJsonMember } from "../calibration/manifest.js";
import { num, pct } from "../report/report.js";
import { DEFAULT_PAD_DATA } from "./dataset.js";
import { runPadEvaluation, type Burst } from "./run.js";
import { parseCandidate, type Candidate } from "./score.js";

const HELP = `facegate eval:pad: presentation-attack detection, ISO/IEC 30107-3 rates

  npm run eval:pad -- [--data <index.csv | folder>] [options]

data: an index CSV (path,label,attack_type,split,subject[,source]; paths relative to the CSV),
      a folder holding index.csv, or a folder tree bona_fide/<subject>/*.jpg and
      attack/<attack type>/<subject>/*.jpg. Default ${DEFAULT_PAD_DATA}.

options
  --candidates a,b,...   PAD models to run (manifest ids; a variant: id[key=value,...], e.g.
                         "fr-liveness[channelOrder=rgb,cropScale=2]"). Default: the manifest's pad models
  --fusion <json>        {"weights": {"id": w, ...}, "bias": b} over the candidates (default: the
                         manifest's, or the one candidate alone)
  --threshold <t>        bona fide iff fused score >= t (default: the manifest's operating point)
  --calibrate            fit the fusion weights (several candidates) and choose the threshold here:
                         the lowest with every attack type's APCER <= --apcer (default 0.1)
  --write-manifest       with --calibrate: store the policy and its evidence in the manifest's pad block
  --split a,b / --source a,b   keep only these splits / top folders of the index
  --per-type N           at most N presentations per (source, type), the first listed (a quick run)
  --no-quality-gates     let every face through to PAD (default: the shipped gates refuse first)
  --burst N --group <re> score bursts of N frames: frames whose path gives the same first capture
                         group of <re> are one capture (e.g. '^(nuaa_nvlong21/\\w+/\\d+_\\d+_\\d+_\\d+)_')
  --scores <file>        reuse the per-model scores.json of an earlier run (no pipeline)
  --models <dir>         models directory with manifest.json (default models)
  --out <dir>            default artifacts/eval/pad/<data name>
`;

runMain(async () => {
  const { values: v } = parseArgs({
    options: {
      data: { type: "string", default: DEFAULT_PAD_DATA },
      candidates: { type: "string" },
      fusion: { type: "string" },
      threshold: { type: "string" },
      calibrate: { type: "boolean", default: false },
      apcer: { type: "string" },
      "write-manifest": { type: "boolean", default: false },
      split: { type: "string" },
      source: { type: "string" },
      "per-type": { type: "string" },
      "no-quality-gates": { type: "boolean", default: false },
      burst: { type: "string" },
      group: { type: "string" },
      scores: { type: "string" },
      models: { type: "string", default: "models" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return;
  }
  if (v["write-manifest"] && !v.calibrate) throw new UsageError("--write-manifest only goes with --calibrate");
  const manifest = await readManifest(v.models);
  const shipped = padPolicy(manifest);
  const candidates: Candidate[] = (v.candidates ? v.candidates.split(/,(?![^[]*\])/) : (shipped?.models ?? [])).map(parseCandidate);
  if (candidates.length === 0) throw new UsageError("no candidates: the manifest has no pad block; give --candidates");
  const sameAsShipped = !v.candidates || (shipped && candidates.every((c, k) => c.name === shipped.models[k]) && candidates.length === shipped.models.length);
  let fusion;
  if (v.fusion) {
    const f = JSON.parse(v.fusion) as { weights?: Record<string, number>; bias?: number };
    fusion = { models: candidates.map((c) => c.name), weights: f.weights ?? {}, bias: f.bias ?? 0 };
  } else if (sameAsShipped && shipped) {
    fusion = { models: shipped.models, weights: shipped.weights, bias: shipped.bias };
  }
  const threshold = numberOption(v.threshold, "threshold") ?? (sameAsShipped && !v.fusion ? shipped?.threshold : undefined);
  const burst: Burst | undefined = v.burst ? { frames: intOption(v.burst, "burst")!, group: new RegExp(v.group ?? "^(.*)$") } : undefined;
  const name = path.basename(path.resolve(v.data)).replace(/\.csv$/, "");
  const command = commandLine("scripts/eval/pad/main.ts");
  const r = await runPadEvaluation({
    data: v.data.endsWith(".csv") || !v.data ? v.data : v.data,
    modelsDir: v.models,
    candidates,
    ...(fusion ? { fusion } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    thresholdFrom: v.threshold ? "--threshold" : "the manifest's operating point (models/manifest.json pad.threshold)",
    selection: {
      ...(v.split ? { splits: v.split.split(",") } : {}),
      ...(v.source ? { sources: v.source.split(",") } : {}),
      ...(v["per-type"] ? { perType: intOption(v["per-type"], "per-type")! } : {}),
    },
    qualityGates: !v["no-quality-gates"],
    ...(burst ? { burst } : {}),
    ...(v.scores ? { scoresFile: v.scores } : {}),
    calibrate: v.calibrate,
    apcerTarget: numberOption(v.apcer, "apcer") ?? 0.1,
    out: v.out ?? path.join("artifacts/eval/pad", name),
    command,
  });
  console.log(r.text);
  console.log(`\nwrote ${path.join(v.out ?? path.join("artifacts/eval/pad", name), "")}: result.json, scores.json, det.png, det.svg`);
  if (!v["write-manifest"]) return;

  // Ship the policy: the views (each model's manifest preprocessing, with the view's changes) and the pad block with its evidence.
  const file = path.join(v.models, "manifest.json");
  let text = await readFile(file, "utf8");
  const weights: Record<string, number> = {};
  for (const c of candidates) weights[c.name] = r.policy.weights[c.name]!;
  const m = r.metrics;
  const o = m.operating;
  const rate = (x: { rate: number; errors: number; presentations: number; subjects: number }) => ({
    rate: Number(x.rate.toFixed(4)),
    errors: x.errors,
    presentations: x.presentations,
    subjects: x.subjects,
  });
  const block = {
    models: candidates.map((c) => c.name),
    fusion: { weights, bias: r.policy.bias },
    threshold: r.policy.threshold,
    burstFrames: shipped?.burstFrames ?? 1,
    convention:
      "each model's bona fide probability p -> logit (clipped to [1e-4, 1 - 1e-4]); score = logistic(bias + sum of weight x logit); over a burst the frames' fused logits are averaged; bona fide iff score >= threshold (client/src/pipeline/pad/pad.ts)",
    evidence: {
      date: r.json["createdAt"],
      command,
      data: `${v.data}${v.split ? ` (splits ${v.split})` : ""}${v.source ? ` (sources ${v.source})` : ""}`,
      rule: `the lowest threshold with every attack type's APCER <= ${pct(numberOption(v.apcer, "apcer") ?? 0.1, 0)} on this data`,
      counts: m.presentations,
      bpcer: rate(o.bpcer),
      apcer: Object.fromEntries(o.apcer.map((t) => [t.type, rate(t.error)])),
      caveat: "development data (also the data the threshold was chosen on): a sanity check on few subjects, not a certification; docs/PAD.md",
    },
  };
  text = setJsonMember(text, ["pad"], block);
  await writeFile(file, text);
  console.log(`wrote ${file}: pad threshold ${num(block.threshold)}, weights ${JSON.stringify(weights)}, bias ${block.fusion.bias}`);
});
