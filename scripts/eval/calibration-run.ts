/**
 * `npm run calibrate`: thresholds from DevTrain impostor scores (the list's
 * pairs plus every cross-identity pair among the DevTrain images), checked
 * on DevTest, written to models/manifest.json only with --write-manifest.
 * DevTest is only ever looked at after the thresholds are fixed.
 */
import { readFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { clopperPearsonUpper } from "./binomial.js";
import { sha256Hex, EmbeddingCache } from "./cache.js";
import {
  chooseOperatingPoint,
  THRESHOLD_GRID,
  thresholdForFmr,
  topKFor,
  type CalibrationResult,
} from "./calibrate.js";
import { pairCounts, scanCrossPairs } from "./cross-pairs.js";
import { checkImagesExist, embedImages, type ImageOutcomes, type Variant } from "./embed-images.js";
import { loadPipeline } from "./embedder.js";
import { evaluate } from "./evaluate.js";
import { readShippedThresholds, writeManifestThresholds, type ShippedThresholds } from "./manifest.js";
import { atThreshold, MIN_EXPECTED_FALSE_MATCHES } from "./metrics.js";
import { identityOfPath, loadPairs, type PairSet } from "./pairs.js";
import { detScene, rocScene, sceneToPng, sceneToSvg } from "./plot.js";
import { escapeHtml, formatTable, htmlReport, num, pct, rate, summaryTable, toJson } from "./report.js";
import { TOOL_NAME, TOOL_VERSION, type Pair } from "./types.js";

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
function matrixOf(files: readonly string[], outcomes: ImageOutcomes): { emb: Float32Array; dim: number; ids: Int32Array; files: string[]; identities: number; failed: number } {
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

export async function runCalibration(o: CalibrateOptions): Promise<CalibrationResult> {
  const train: PairSet = await loadPairs({ pairs: o.pairs, images: o.images });
  const test: PairSet | null = o.checkPairs ? await loadPairs({ pairs: o.checkPairs, images: o.images }) : null;
  const shippedBefore = await readShippedThresholds(o.manifest, o.model);
  const pipeline = await loadPipeline({ embedderModule: o.embedder, manifestPath: o.manifest });
  if (pipeline.embedder.modelId !== shippedBefore.modelId) {
    throw new Error(`the pipeline embeds with '${pipeline.embedder.modelId}' but --model/manifest says '${shippedBefore.modelId}'`);
  }
  const trainFiles = distinctImages(train.pairs);
  const testFiles = test ? distinctImages(test.pairs) : [];
  const trainPeople = new Set(trainFiles.map(identityOfPath));
  const overlap = new Set(testFiles.map(identityOfPath).filter((n) => trainPeople.has(n)));
  const mislabelled = train.pairs.filter((p) => !p.same && identityOfPath(p.a) === identityOfPath(p.b)).length;
  if (mislabelled) throw new Error(`${mislabelled} different-person pairs in ${o.pairs} name the same identity by file name`);

  const need = new Map<string, Set<Variant>>([...trainFiles, ...testFiles].map((f) => [f, new Set<Variant>(["none"])]));
  await checkImagesExist(need.keys());
  process.stderr.write(`calibration: ${trainFiles.length} DevTrain images, ${testFiles.length} check images; model ${pipeline.embedder.modelId}, pipeline ${pipeline.embedder.pipelineVersion}\n`);
  const { outcomes, stats } = await embedImages(need, { pipeline, cache: new EmbeddingCache(undefined, o.cache), label: "images" });
  await pipeline.embedder.dispose?.();

  // 1. Thresholds, from DevTrain only.
  const tm = matrixOf(trainFiles, outcomes);
  const expected = pairCounts(tm.ids);
  const topK = topKFor(expected.impostor, o.targets);
  const t0 = performance.now();
  const scan = scanCrossPairs(tm.emb, tm.dim, tm.ids, { topK });
  const scanMs = performance.now() - t0;
  process.stderr.write(`scored ${scan.impostorPairs} impostor + ${scan.genuine.scores.length} same-identity DevTrain pairs in ${(scanMs / 1000).toFixed(1)} s\n`);
  const thresholds = o.targets.map((f) => thresholdForFmr(scan.topImpostors.scores, scan.impostorPairs, f, scan.topImpostors));
  const operating = chooseOperatingPoint(thresholds);
  const supported = thresholds.filter((t) => t.supported);
  const calibrated: ShippedThresholds = {
    modelId: shippedBefore.modelId,
    threshold: operating.threshold,
    operatingFmr: operating.fmr,
    thresholds: supported.map((t) => ({ fmr: t.fmr, threshold: t.threshold })),
  };
  const trainEval = evaluate("DevTrain", train.pairs, outcomes, "none", calibrated);
  const accuracyThreshold = trainEval.metrics.bestAccuracy.threshold;

  // 2. The check, on data the thresholds never saw.
  let check: Record<string, unknown> | null = null;
  let testEval = null;
  const checkRows: string[][] = [];
  if (test) {
    testEval = evaluate("DevTest", test.pairs, outcomes, "none", calibrated);
    const cm = matrixOf(testFiles, outcomes);
    const cscan = scanCrossPairs(cm.emb, cm.dim, cm.ids, { topK: 0, countAtLeast: thresholds.map((t) => t.threshold) });
    const gen = { gen: testEval.scores.genuine, imp: testEval.scores.impostor };
    const points = thresholds.map((t, k) => {
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
    const accAt = atThreshold(gen.gen, gen.imp, accuracyThreshold);
    check = {
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
      accuracyAtDevTrainBestThreshold: { threshold: round(accuracyThreshold, 6), accuracy: round(accAt.accuracy, 4) },
      atOperating: {
        tar: round(testEval.atShipped.operating.outcome.tar, 4),
        farListPairs: round(testEval.atShipped.operating.outcome.far, 4),
        accuracy: round(testEval.atShipped.operating.outcome.accuracy, 4),
      },
      points,
    };
    for (const p of points) {
      checkRows.push([
        rate(p.fmr),
        num(p.threshold, 6),
        pct(p.tar),
        pct(p.farListPairs, 2),
        `${p.crossPairFalseMatches}/${cscan.impostorPairs}`,
        p.crossPairFmr.toExponential(2),
        p.crossPairFmrUpper95.toExponential(2),
      ]);
    }
  }

  const trainSha = sha256Hex(await readFile(train.source));
  const result: CalibrationResult = {
    thresholds,
    operating,
    calibration: {
      date: new Date().toISOString(),
      tool: `${TOOL_NAME} ${TOOL_VERSION} (scripts/eval)`,
      command: o.command,
      pipelineVersion: pipeline.embedder.pipelineVersion,
      decoder: pipeline.decoder,
      convention:
        `match iff cosine >= threshold; threshold = smallest multiple of ${THRESHOLD_GRID} above the (floor(fmr * N) + 1)-th highest of N impostor scores`,
      supportRule: `a target is supported when N >= ${MIN_EXPECTED_FALSE_MATCHES} / fmr (only supported targets are listed in thresholds)`,
      operatingPoint: { fmr: operating.fmr, reason: operating.reason },
      data: {
        pairs: rel(train.source),
        pairsSha256: trainSha,
        images: rel(o.images),
        impostors: "every cross-identity pair among the images of the pair list (identity from file names), which includes the list's own different-person pairs",
      },
      counts: {
        images: trainFiles.length,
        imagesFailed: tm.failed,
        identities: tm.identities,
        impostorPairs: scan.impostorPairs,
        listGenuinePairs: trainEval.metrics.genuinePairs,
        listImpostorPairs: trainEval.metrics.impostorPairs,
      },
      unsupported: thresholds
        .filter((t) => !t.supported)
        .map((t) => ({ fmr: t.fmr, threshold: t.threshold, needImpostorPairs: t.minImpostors })),
      caveat:
        "pairs share images, so they are not independent trials: the upper bounds understate the uncertainty; LFW is mostly adult, light-skinned, male public figures",
      ...(check ? { check } : {}),
    },
  };

  // 3. Print and write.
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
  console.log(`\nthresholds from ${rel(train.source)}: ${scan.impostorPairs} impostor pairs among ${tm.files.length} images (${tm.failed} failed), ${tm.identities} identities`);
  console.log(formatTable(rows, ["FMR", "threshold", "impostors", "false matches", "FMR upper 95%", "images in FM", "supported", "DevTrain TAR"]));
  console.log(`operating point: FMR ${rate(operating.fmr)}, threshold ${num(operating.threshold, 6)}: ${operating.reason}`);
  console.log(`\n${summaryTable(trainEval)}`);
  if (testEval && test) {
    console.log(`\ncheck on ${rel(test.source)} (identities shared with the calibration set: ${overlap.size})`);
    console.log(formatTable(checkRows, ["FMR", "threshold", "TAR", "FAR (list)", "false matches (all cross pairs)", "FMR", "FMR upper 95%"]));
    console.log(`\n${summaryTable(testEval)}`);
  }
  await mkdir(o.out, { recursive: true });
  const runs = testEval ? [trainEval, testEval] : [trainEval];
  const curves = runs.map((r) => ({
    label: `${r.name}  AUC ${num(r.metrics.auc)}`,
    points: r.metrics.roc,
    marker: { far: r.atShipped.operating.outcome.far, tar: r.atShipped.operating.outcome.tar },
  }));
  const markerNote = `at threshold ${num(operating.threshold)} (FMR ${rate(operating.fmr)})`;
  const roc = rocScene(curves, { title: "ROC - calibration (DevTrain) and check (DevTest)", markerNote });
  const det = detScene(curves, { title: "DET - calibration (DevTrain) and check (DevTest)", markerNote });
  await writeFile(path.join(o.out, "result.json"), toJson({ tool: { name: TOOL_NAME, version: TOOL_VERSION }, calibration: result, embedding: stats, runs }));
  await writeFile(path.join(o.out, "roc.png"), sceneToPng(roc));
  await writeFile(path.join(o.out, "det.png"), sceneToPng(det));
  await writeFile(path.join(o.out, "roc.svg"), sceneToSvg(roc));
  await writeFile(path.join(o.out, "det.svg"), sceneToSvg(det));
  const table = (h: string[], rs: string[][]) =>
    `<table><thead><tr>${h.map((x) => `<th>${escapeHtml(x)}</th>`).join("")}</tr></thead><tbody>${rs
      .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
      .join("")}</tbody></table>`;
  const extra =
    `<h2>Calibration</h2><p>${escapeHtml(String(result.calibration["convention"]))}. ${escapeHtml(String(result.calibration["supportRule"]))}.</p>` +
    table(["FMR", "threshold", "impostors", "false matches", "FMR upper 95%", "images in FM", "supported", "DevTrain TAR"], rows) +
    `<p>Operating point: FMR ${rate(operating.fmr)}, threshold ${num(operating.threshold, 6)}. ${escapeHtml(operating.reason)}.</p>` +
    (checkRows.length ? `<h2>Check on DevTest</h2>${table(["FMR", "threshold", "TAR", "FAR (list)", "false matches (all cross pairs)", "FMR", "FMR upper 95%"], checkRows)}` : "");
  await writeFile(
    path.join(o.out, "report.html"),
    htmlReport({
      title: "facegate calibration",
      meta: {
        command: o.command,
        date: String(result.calibration["date"]),
        model: `${pipeline.embedder.modelId} (pipeline ${pipeline.embedder.pipelineVersion}, ${pipeline.source})`,
        calibration: `${rel(train.source)}: ${scan.impostorPairs} impostor pairs`,
        check: test ? rel(test.source) : "none",
      },
      runs,
      plots: { roc: sceneToSvg(roc), det: sceneToSvg(det) },
      extra,
    }),
  );
  console.log(`\nwrote ${path.join(o.out, "result.json")}, roc.png, det.png, report.html`);
  if (o.writeManifest) {
    await writeManifestThresholds(o.manifest, shippedBefore.modelId, result);
    console.log(`updated ${o.manifest}: ${shippedBefore.modelId} threshold ${operating.threshold} (FMR ${rate(operating.fmr)}), ${supported.length} calibrated points`);
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

