/**
 * `npm run calibrate`: thresholds from DevTrain impostor scores (the list's
 * pairs plus every cross-identity pair among the DevTrain images), checked
 * on DevTest, written to models/manifest.json only with --write-manifest.
 * DevTest is only ever looked at after the thresholds are fixed.
 *
 * The run in steps: the data (loadCalibrationData), the embeddings (embedAll),
 * 1. the thresholds from DevTrain (fitThresholds), 2. the check on DevTest
 * (checkThresholds), then the provenance record (calibrationRecord), the
 * terminal tables (printCalibration) and the files (writeCalibrationArtifacts).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeArtifacts, rocDetPlots, wroteLine } from "../report/artifacts.js";
import { clopperPearsonUpper } from "../metrics/binomial.js";
import { sha256Hex, EmbeddingCache } from "../embed/cache.js";
import {
  chooseOperatingPoint,
  THRESHOLD_GRID,
  thresholdForFmr,
  topKFor,
  type CalibratedThreshold,
  type CalibrationResult,
  type OperatingPoint,
} from "./calibrate.js";
import { pairCounts, scanCrossPairs, type CrossPairScan } from "../metrics/cross-pairs.js";
import { embedAll, type EmbedStats, type ImageOutcomes, type PipelineInfo, type Variant } from "../embed/embed-images.js";
import { evaluate, type Evaluation } from "../metrics/evaluate.js";
import { readShippedThresholds, writeManifestThresholds, type ShippedThresholds } from "./manifest.js";
import { atThreshold, MIN_EXPECTED_FALSE_MATCHES } from "../metrics/metrics.js";
import { identityOfPath, loadPairs, type PairSet } from "../data/pairs.js";
import { escapeHtml, formatTable, htmlReport, htmlTable, num, pct, rate, summaryTable, toJson } from "../report/report.js";
import { TOOL_NAME, TOOL_VERSION, type Pair } from "../types.js";

export interface CalibrateOptions {
  pairs: string;
  checkPairs?: string;
  images: string;
  out: string;
  manifest: string;
  model?: string;
  embedder?: string;
  cache: boolean;
  writeManifest: boolean;
  targets: readonly number[];
  command: string;
}

/** Row-normalised embedding matrix and identity labels of the images that produced an embedding. */
function matrixOf(
  files: readonly string[],
  outcomes: ImageOutcomes,
): { emb: Float32Array; dim: number; ids: Int32Array; files: string[]; identities: number; failed: number } {
  const ok: [string, Float32Array][] = [];
  let failed = 0;
  for (const f of files) {
    const o = outcomes.get(f)?.get("none");
    if (o?.ok) ok.push([f, o.embedding]);
    else failed++;
  }
  const dim = ok[0]?.[1].length ?? 0;
  const emb = new Float32Array(ok.length * dim);
  const idOf = new Map<string, number>();
  const ids = new Int32Array(ok.length);
  ok.forEach(([f, e], r) => {
    if (e.length !== dim) throw new Error(`${f}: embedding length ${e.length}, expected ${dim}`);
    let norm = 0;
    for (const x of e) norm += x * x;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) emb[r * dim + k] = e[k]! * s;
    const name = identityOfPath(f);
    if (!idOf.has(name)) idOf.set(name, idOf.size);
    ids[r] = idOf.get(name)!;
  });
  return { emb, dim, ids, files: ok.map(([f]) => f), identities: idOf.size, failed };
}

const distinctImages = (pairs: readonly Pair[]) => [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
const rel = (p: string) => path.relative(process.cwd(), p) || ".";

const THRESHOLD_HEADER = ["FMR", "threshold", "impostors", "false matches", "FMR upper 95%", "images in FM", "supported", "DevTrain TAR"];
const CHECK_HEADER = ["FMR", "threshold", "TAR", "FAR (list)", "false matches (all cross pairs)", "FMR", "FMR upper 95%"];

interface CalibrationData {
  train: PairSet;
  test: PairSet | null;
  trainFiles: string[];
  testFiles: string[];
  /** Identities in both sets (by file name); reported, since the check should see none. */
  overlap: Set<string>;
}

async function loadCalibrationData(o: CalibrateOptions): Promise<CalibrationData> {
  const train = await loadPairs({ pairs: o.pairs, images: o.images });
  const test = o.checkPairs ? await loadPairs({ pairs: o.checkPairs, images: o.images }) : null;
  const trainFiles = distinctImages(train.pairs);
  const testFiles = test ? distinctImages(test.pairs) : [];
  const trainPeople = new Set(trainFiles.map(identityOfPath));
  const overlap = new Set(testFiles.map(identityOfPath).filter((n) => trainPeople.has(n)));
  const mislabelled = train.pairs.filter((p) => !p.same && identityOfPath(p.a) === identityOfPath(p.b)).length;
  if (mislabelled) throw new Error(`${mislabelled} different-person pairs in ${o.pairs} name the same identity by file name`);
  return { train, test, trainFiles, testFiles, overlap };
}

interface Fit {
  matrix: ReturnType<typeof matrixOf>;
  scan: CrossPairScan;
  thresholds: CalibratedThreshold[];
  operating: OperatingPoint;
  calibrated: ShippedThresholds;
  trainEval: Evaluation;
  /** DevTrain's best-accuracy threshold, applied unchanged to DevTest. */
  accuracyThreshold: number;
  rows: string[][];
}

/** 1. The thresholds, from DevTrain only. */
function fitThresholds(data: CalibrationData, outcomes: ImageOutcomes, targets: readonly number[], modelId: string): Fit {
  const matrix = matrixOf(data.trainFiles, outcomes);
  const expected = pairCounts(matrix.ids);
  const topK = topKFor(expected.impostor, targets);
  const t0 = performance.now();
  const scan = scanCrossPairs(matrix.emb, matrix.dim, matrix.ids, { topK });
  const scanMs = performance.now() - t0;
  process.stderr.write(
    `scored ${scan.impostorPairs} impostor + ${scan.genuine.scores.length} same-identity DevTrain pairs in ${(scanMs / 1000).toFixed(1)} s\n`,
  );
  const thresholds = targets.map((f) => thresholdForFmr(scan.topImpostors.scores, scan.impostorPairs, f, scan.topImpostors));
  const operating = chooseOperatingPoint(thresholds);
  const calibrated: ShippedThresholds = {
    modelId,
    threshold: operating.threshold,
    operatingFmr: operating.fmr,
    thresholds: thresholds.filter((t) => t.supported).map((t) => ({ fmr: t.fmr, threshold: t.threshold })),
  };
  const trainEval = evaluate("DevTrain", data.train.pairs, outcomes, "none", calibrated);
  const rows = thresholds.map((t) => [
    rate(t.fmr),
    num(t.threshold, 6),
    String(t.impostorPairs),
    String(t.falseMatches),
    t.fmrUpper95.toExponential(2),
    String(t.falseMatchImages),
    t.supported ? "yes" : `no (< ${t.minImpostors})`,
    pct(atThreshold(trainEval.scores.genuine, [], t.threshold).tar),
  ]);
  return { matrix, scan, thresholds, operating, calibrated, trainEval, accuracyThreshold: trainEval.metrics.bestAccuracy.threshold, rows };
}

interface Check {
  testEval: Evaluation;
  record: Record<string, unknown>;
  rows: string[][];
}

/** 2. The check, on data the thresholds never saw. */
async function checkThresholds(data: CalibrationData & { test: PairSet }, outcomes: ImageOutcomes, fit: Fit): Promise<Check> {
  const { test, testFiles, overlap } = data;
  const testEval = evaluate("DevTest", test.pairs, outcomes, "none", fit.calibrated);
  const cm = matrixOf(testFiles, outcomes);
  const cscan = scanCrossPairs(cm.emb, cm.dim, cm.ids, { topK: 0, countAtLeast: fit.thresholds.map((t) => t.threshold) });
  const gen = { gen: testEval.scores.genuine, imp: testEval.scores.impostor };
  const points = fit.thresholds.map((t, k) => {
    const listAt = atThreshold(gen.gen, gen.imp, t.threshold);
    const fm = cscan.impostorsAtLeast[k]!;
    return {
      fmr: t.fmr,
      threshold: t.threshold,
      tar: round(listAt.tar, 4),
      farListPairs: round(listAt.far, 4),
      crossPairFalseMatches: fm,
      crossPairFmr: sig(cscan.impostorPairs ? fm / cscan.impostorPairs : NaN),
      crossPairFmrUpper95: sig(clopperPearsonUpper(fm, cscan.impostorPairs)),
    };
  });
  const accAt = atThreshold(gen.gen, gen.imp, fit.accuracyThreshold);
  const record = {
    pairs: rel(test.source),
    pairsSha256: sha256Hex(await readFile(test.source)),
    identityOverlapWithCalibration: overlap.size,
    images: testFiles.length,
    imagesFailed: cm.failed,
    imagesFailedByReason: testEval.failures.images.byReason,
    genuinePairs: testEval.metrics.genuinePairs,
    impostorPairs: testEval.metrics.impostorPairs,
    crossIdentityPairs: cscan.impostorPairs,
    auc: round(testEval.metrics.auc, 5),
    bestAccuracyOracle: round(testEval.metrics.bestAccuracy.accuracy, 4),
    accuracyAtDevTrainBestThreshold: { threshold: round(fit.accuracyThreshold, 6), accuracy: round(accAt.accuracy, 4) },
    atOperating: {
      tar: round(testEval.atShipped.operating.outcome.tar, 4),
      farListPairs: round(testEval.atShipped.operating.outcome.far, 4),
      accuracy: round(testEval.atShipped.operating.outcome.accuracy, 4),
    },
    points,
  };
  const rows = points.map((p) => [
    rate(p.fmr),
    num(p.threshold, 6),
    pct(p.tar),
    pct(p.farListPairs, 2),
    `${p.crossPairFalseMatches}/${cscan.impostorPairs}`,
    p.crossPairFmr.toExponential(2),
    p.crossPairFmrUpper95.toExponential(2),
  ]);
  return { testEval, record, rows };
}

/** The thresholds with their provenance: what the manifest's `embedding.calibration` holds. */
async function calibrationRecord(
  o: CalibrateOptions,
  data: CalibrationData,
  pipeline: PipelineInfo,
  fit: Fit,
  check: Check | null,
): Promise<CalibrationResult> {
  const { thresholds, operating, matrix, scan, trainEval } = fit;
  return {
    thresholds,
    operating,
    pipelines: pipeline.facePipelineVersion ? [pipeline.facePipelineVersion] : [],
    calibration: {
      date: new Date().toISOString(),
      tool: `${TOOL_NAME} ${TOOL_VERSION} (scripts/eval)`,
      command: o.command,
      pipelineVersion: pipeline.pipelineVersion,
      decoder: pipeline.decoder,
      convention: `match iff cosine >= threshold; threshold = smallest multiple of ${THRESHOLD_GRID} above the (floor(fmr * N) + 1)-th highest of N impostor scores`,
      supportRule: `a target is supported when N >= ${MIN_EXPECTED_FALSE_MATCHES} / fmr (only supported targets are listed in thresholds)`,
      operatingPoint: { fmr: operating.fmr, reason: operating.reason },
      data: {
        pairs: rel(data.train.source),
        pairsSha256: sha256Hex(await readFile(data.train.source)),
        images: rel(o.images),
        impostors:
          "every cross-identity pair among the images of the pair list (identity from file names), which includes the list's own different-person pairs",
      },
      counts: {
        images: data.trainFiles.length,
        imagesFailed: matrix.failed,
        identities: matrix.identities,
        impostorPairs: scan.impostorPairs,
        listGenuinePairs: trainEval.metrics.genuinePairs,
        listImpostorPairs: trainEval.metrics.impostorPairs,
      },
      unsupported: thresholds.filter((t) => !t.supported).map((t) => ({ fmr: t.fmr, threshold: t.threshold, needImpostorPairs: t.minImpostors })),
      caveat:
        "pairs share images, so they are not independent trials: the upper bounds understate the uncertainty; LFW is mostly adult, light-skinned, male public figures",
      ...(check ? { check: check.record } : {}),
    },
  };
}

function printCalibration(data: CalibrationData, fit: Fit, check: Check | null): void {
  const { matrix, scan, operating } = fit;
  console.log(
    `\nthresholds from ${rel(data.train.source)}: ${scan.impostorPairs} impostor pairs among ${matrix.files.length} images (${matrix.failed} failed), ${matrix.identities} identities`,
  );
  console.log(formatTable(fit.rows, THRESHOLD_HEADER));
  console.log(`operating point: FMR ${rate(operating.fmr)}, threshold ${num(operating.threshold, 6)}: ${operating.reason}`);
  console.log(`\n${summaryTable(fit.trainEval)}`);
  if (check && data.test) {
    console.log(`\ncheck on ${rel(data.test.source)} (identities shared with the calibration set: ${data.overlap.size})`);
    console.log(formatTable(check.rows, CHECK_HEADER));
    console.log(`\n${summaryTable(check.testEval)}`);
  }
}

async function writeCalibrationArtifacts(
  o: CalibrateOptions,
  data: CalibrationData,
  pipeline: PipelineInfo,
  fit: Fit,
  check: Check | null,
  result: CalibrationResult,
  stats: EmbedStats,
): Promise<void> {
  const { operating } = fit;
  const runs = check ? [fit.trainEval, check.testEval] : [fit.trainEval];
  const plots = rocDetPlots(runs, {
    title: "calibration (DevTrain) and check (DevTest)",
    markerNote: `at threshold ${num(operating.threshold)} (FMR ${rate(operating.fmr)})`,
  });
  const extra =
    `<h2>Calibration</h2><p>${escapeHtml(String(result.calibration["convention"]))}. ${escapeHtml(String(result.calibration["supportRule"]))}.</p>` +
    htmlTable(THRESHOLD_HEADER, fit.rows) +
    `<p>Operating point: FMR ${rate(operating.fmr)}, threshold ${num(operating.threshold, 6)}. ${escapeHtml(operating.reason)}.</p>` +
    (check ? `<h2>Check on DevTest</h2>${htmlTable(CHECK_HEADER, check.rows)}` : "");
  const written = await writeArtifacts(o.out, {
    "result.json": toJson({ tool: { name: TOOL_NAME, version: TOOL_VERSION }, calibration: result, embedding: stats, runs }),
    ...plots.files,
    "report.html": htmlReport({
      title: "facegate calibration",
      meta: {
        command: o.command,
        date: String(result.calibration["date"]),
        model: `${pipeline.modelId} (pipeline ${pipeline.pipelineVersion}, ${pipeline.source})`,
        calibration: `${rel(data.train.source)}: ${fit.scan.impostorPairs} impostor pairs`,
        check: data.test ? rel(data.test.source) : "none",
      },
      runs,
      plots: plots.svg,
      extra,
    }),
  });
  console.log(`\n${wroteLine(written)}`);
}

export async function runCalibration(o: CalibrateOptions): Promise<CalibrationResult> {
  const data = await loadCalibrationData(o);
  const shippedBefore = await readShippedThresholds(o.manifest, o.model);
  const need = new Map<string, Set<Variant>>([...data.trainFiles, ...data.testFiles].map((f) => [f, new Set<Variant>(["none"])]));
  const { outcomes, stats, pipeline } = await embedAll(need, {
    manifestPath: o.manifest,
    embedderModule: o.embedder,
    cache: new EmbeddingCache(undefined, o.cache),
    label: "images",
    expectModelId: shippedBefore.modelId,
    announce: (p) =>
      `calibration: ${data.trainFiles.length} DevTrain images, ${data.testFiles.length} check images; model ${p.modelId}, pipeline ${p.pipelineVersion}`,
  });
  const fit = fitThresholds(data, outcomes, o.targets, shippedBefore.modelId);
  const check = data.test ? await checkThresholds({ ...data, test: data.test }, outcomes, fit) : null;
  const result = await calibrationRecord(o, data, pipeline, fit, check);
  printCalibration(data, fit, check);
  await writeCalibrationArtifacts(o, data, pipeline, fit, check, result, stats);
  if (o.writeManifest) {
    await writeManifestThresholds(o.manifest, shippedBefore.modelId, result);
    console.log(
      `updated ${o.manifest}: ${shippedBefore.modelId} threshold ${result.operating.threshold} (FMR ${rate(result.operating.fmr)}), ${fit.calibrated.thresholds.length} calibrated points`,
    );
  } else {
    console.log(`${o.manifest} not changed (pass --write-manifest to write these thresholds)`);
  }
  return result;
}

/** Decimal places, for proportions near 1. */
function round(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

/** Significant digits, for small rates. */
function sig(x: number, digits = 3): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}
