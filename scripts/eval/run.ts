/**
 * One evaluation run, shared by main.ts and robustness.ts: pairs -> images
 * (each decoded once, whatever variants it needs) -> embeddings (cached) ->
 * metrics per variant -> terminal table, result.json, plots, report.html.
 */
import path from "node:path";
import { rocDetPlots, writeArtifacts, wroteLine } from "./report/artifacts.js";
import { EmbeddingCache } from "./embed/cache.js";
import { embedAll, imagesNeeded, type Variant } from "./embed/embed-images.js";
import { evaluate, type Evaluation } from "./metrics/evaluate.js";
import { readShippedThresholds, type ShippedThresholds } from "./calibration/manifest.js";
import { limitPairs, loadPairs } from "./data/pairs.js";
import { htmlReport, num, rate, summaryTable, toJson } from "./report/report.js";
import { TOOL_NAME, TOOL_VERSION } from "./types.js";

export interface RunOptions {
  pairs?: string;
  images: string;
  /** Probe variants to evaluate ("none" = the clean run), each a run of its own. */
  variants: Variant[];
  out: string;
  limit?: number;
  impostors?: number;
  seed?: number;
  manifest: string;
  model?: string;
  embedder?: string;
  cache: boolean;
  /** Overrides the manifest's operating threshold (reported as such). */
  threshold?: number;
  title?: string;
  command: string;
  /** A summary across runs (robustness): printed last, stored in result.json under `key`, added to the HTML. */
  summarize?: (runs: Evaluation[], shipped: ShippedThresholds) => { key: string; text: string; html: string; json: unknown };
}

export interface RunResult {
  runs: Evaluation[];
  shipped: ShippedThresholds;
  json: Record<string, unknown>;
}

export async function runEvaluation(o: RunOptions): Promise<RunResult> {
  const set = await loadPairs({ pairs: o.pairs, images: o.images, impostors: o.impostors, seed: o.seed });
  const pairs = o.limit ? limitPairs(set.pairs, o.limit) : set.pairs;
  let shipped = await readShippedThresholds(o.manifest, o.model);
  if (o.threshold !== undefined) shipped = { ...shipped, threshold: o.threshold, overridden: true };
  const need = imagesNeeded(pairs, o.variants);
  const { outcomes, stats, pipeline } = await embedAll(need, {
    manifestPath: o.manifest,
    embedderModule: o.embedder,
    cache: new EmbeddingCache(undefined, o.cache),
    label: "images",
    expectModelId: shipped.modelId,
    announce: (p) => `${pairs.length} pairs, ${need.size} images, variants ${o.variants.join(", ")}; model ${p.modelId}, pipeline ${p.pipelineVersion}`,
  });

  const runs = o.variants.map((v) => evaluate(v === "none" ? "clean" : v, pairs, outcomes, v, shipped));
  for (const r of runs) console.log(`\n${summaryTable(r)}`);
  const summary = o.summarize?.(runs, shipped);
  if (summary) console.log(`\n${summary.text}`);

  const title = o.title ?? `facegate eval: ${path.basename(set.source)}`;
  const plots = rocDetPlots(runs, { title, markerNote: `at threshold ${num(shipped.threshold)} (FMR ${rate(shipped.operatingFmr)})` });

  const json = {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    command: o.command,
    model: {
      id: pipeline.modelId,
      pipelineVersion: pipeline.pipelineVersion,
      pipeline: pipeline.source,
      decoder: pipeline.decoder,
    },
    data: {
      format: set.format,
      source: set.source,
      images: o.images,
      pairs: { genuine: pairs.filter((p) => p.same).length, impostor: pairs.filter((p) => !p.same).length },
      limit: o.limit ?? null,
    },
    shipped: { manifest: o.manifest, thresholdOverride: o.threshold ?? null, ...shipped },
    embedding: stats,
    conventions: {
      match: "score >= threshold (cosine similarity)",
      failures: "a pair with an image the pipeline refused scores -Infinity: a false non-match if genuine, a correct non-match if impostor",
      tarAtFarSupported: "impostorPairs >= 10 / FAR",
      perturbations: "applied to the probe (second image) of each pair only",
    },
    runs,
    ...(summary ? { [summary.key]: summary.json } : {}),
  };
  const written = await writeArtifacts(o.out, {
    "result.json": toJson(json),
    ...plots.files,
    "report.html": htmlReport({
      title,
      meta: {
        command: o.command,
        date: json.createdAt,
        tool: `${TOOL_NAME} ${TOOL_VERSION}`,
        model: `${pipeline.modelId} (pipeline ${pipeline.pipelineVersion}, ${pipeline.source})`,
        decoder: pipeline.decoder,
        pairs: `${set.source} (${set.format}): ${json.data.pairs.genuine} genuine + ${json.data.pairs.impostor} impostor`,
        images: `${o.images}: ${stats.images} used, ${stats.computed} computed, ${stats.cached} from cache`,
        threshold: `${num(shipped.threshold)} (operating FMR ${rate(shipped.operatingFmr)}${o.threshold !== undefined ? ", from --threshold" : ", from the manifest"})`,
      },
      runs,
      plots: plots.svg,
      extra: summary?.html,
    }),
  });
  console.log(`\n${wroteLine(written)}`);
  return { runs, shipped, json };
}
