/**
 * `npm run eval:sharpness-gate`: the evidence for the too-blurry limit
 * (docs/ACCURACY.md, "Quality gates"). DevTrain pairs by default (a limit
 * is set on DevTrain only): the probe blurred at each σ with the SDK's
 * Gaussian (perturb.ts), the SDK pipeline with every gate as shipped except
 * sharpness, which is only recorded; the reference clean. Prints the
 * genuine match rate per sharpness bin and what each candidate limit gives
 * at the operating threshold. Not cached; about 2 minutes per σ here.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LFW_DIR, DEFAULT_MANIFEST, intOption, refuseHeldOut, runMain, UsageError } from "./cli.js";
import { readShippedThresholds } from "./calibration/manifest.js";
import { loadPairs } from "./data/pairs.js";
import { sdkDecoder, qualityReason } from "./embed/embedder.js";
import { gaussianBlur } from "./robustness/perturb.js";
import { limitSweep, sharpnessBins, type GateRow } from "./robustness/sharpness-gate.js";
import { similarity } from "../../src/protocol/similarity.js";
import type { RgbaImage } from "../../client/src/image/types.js";

const EDGES = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, Number.POSITIVE_INFINITY];
const LIMITS = [0, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6];

runMain(async () => {
  const { values: v } = parseArgs({
    options: {
      pairs: { type: "string", default: path.join(DEFAULT_LFW_DIR, "pairsDevTrain.txt") },
      images: { type: "string", default: path.join(DEFAULT_LFW_DIR, "images") },
      sigmas: { type: "string", default: "2,3,4" },
      limit: { type: "string" },
      manifest: { type: "string", default: DEFAULT_MANIFEST },
    },
    strict: true,
  });
  const sigmas = v.sigmas.split(",").map(Number);
  if (sigmas.some((s) => !(s > 0))) throw new UsageError(`--sigmas: positive numbers, comma-separated (got '${v.sigmas}')`);
  const limit = intOption(v.limit, "limit");
  // A limit is set on DevTrain only; DevTest checks it through `npm run eval:robustness`.
  refuseHeldOut(v.pairs, "setting the too-blurry limit");
  const { threshold } = await readShippedThresholds(v.manifest);
  const set = await loadPairs({ pairs: v.pairs, images: v.images });
  const pairs = limit === undefined ? set.pairs : set.pairs.slice(0, limit);
  const { loadNodePipeline } = await import("../../client/src/pipeline/load/load-node.js");
  // The sharpness gate off (a limit no image reaches); every other gate and the restoration as shipped.
  const pipe = await loadNodePipeline({ modelsDir: path.dirname(path.resolve(v.manifest)), threads: 1, provider: "wasm", quality: { minSharpness: 1e-9 } });
  const { decode } = await sdkDecoder();
  const image = async (file: string): Promise<RgbaImage> => decode(await readFile(file), file);
  const analyse = async (img: RgbaImage): Promise<{ embedding: Float32Array; sharpness: number } | null> => {
    try {
      const a = await pipe.analyze(img, { pad: "off" });
      return { embedding: a.embedding, sharpness: a.quality.sharpness };
    } catch (e) {
      if (qualityReason(e) === null) throw e;
      return null;
    }
  };
  const refs = new Map<string, Awaited<ReturnType<typeof analyse>>>();
  for (const p of pairs) if (!refs.has(p.a)) refs.set(p.a, await analyse(await image(p.a)));
  const all: GateRow[] = [];
  console.log(`${path.basename(v.pairs)}: ${pairs.length} pairs, operating threshold ${threshold} (${v.manifest}), pipeline ${pipe.pipelineVersion}\n`);
  for (const sigma of sigmas) {
    const rows: GateRow[] = [];
    for (const p of pairs) {
      const ref = refs.get(p.a);
      const probe = await analyse(gaussianBlur(await image(p.b), sigma));
      rows.push({
        same: p.same,
        sharpness: probe?.sharpness ?? null,
        cosine: probe && ref ? similarity(probe.embedding, ref.embedding) : null,
      });
    }
    all.push(...rows);
    console.log(`σ ${sigma} px: limit | genuine matched | false matches | genuine refused`);
    for (const c of limitSweep(rows, LIMITS, threshold)) {
      console.log(`  ${c.limit} | ${c.matched}/${c.genuine} | ${c.falseMatches}/${c.impostor} | ${c.refused}`);
    }
  }
  console.log(`\nall σ: sharpness bin | genuine matched (rate) | impostor matched | highest impostor cosine`);
  for (const b of sharpnessBins(all, EDGES, threshold)) {
    if (b.genuine + b.impostor === 0) continue;
    const rate = b.genuine ? ` (${Math.round((100 * b.genuineMatched) / b.genuine)}%)` : "";
    console.log(`  ${b.from}-${b.to} | ${b.genuineMatched}/${b.genuine}${rate} | ${b.impostorMatched}/${b.impostor} | ${b.impostorMax?.toFixed(3) ?? "-"}`);
  }
  await pipe.dispose();
});
