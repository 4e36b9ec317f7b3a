import manifestJson from "../../models/manifest.json";
import { embeddingModels, ModelManifest, type EmbeddingModelInfo } from "../protocol/manifest.js";
import { ProblemError } from "../errors/problem-error.js";
import type { PipelinePolicy } from "./tenants.js";

/**
 * The embedding models the server accepts, from models/manifest.json (bundled
 * at build time). Dimension and operating threshold are read from there and
 * nowhere else: calibration changes the manifest, not the code.
 */
let models: ReadonlyMap<string, EmbeddingModelInfo> | undefined;

function load(): ReadonlyMap<string, EmbeddingModelInfo> {
  if (models) return models;
  const parsed = ModelManifest.safeParse(manifestJson);
  if (!parsed.success) {
    console.error(JSON.stringify({ misconfigured: "models/manifest.json" }));
    throw new ProblemError("server-misconfigured");
  }
  models = new Map(embeddingModels(parsed.data).map((m) => [m.id, m]));
  return models;
}

/** The embedding model with this id, or undefined if the manifest does not list it. */
export function embeddingModel(id: string): EmbeddingModelInfo | undefined {
  return load().get(id);
}

export function embeddingModelIds(): string[] {
  return [...load().keys()];
}

/**
 * The passive PAD operating point (manifest `pad.threshold`): a `passive`
 * challenge needs evidence whose PAD score reaches it. Null when the manifest
 * has no PAD block (a passive challenge then cannot be met: fail closed).
 */
export function padThreshold(): number | null {
  const pad = (manifestJson as { pad?: { threshold?: unknown } }).pad;
  return typeof pad?.threshold === "number" ? pad.threshold : null;
}

/**
 * The tenant's pipeline policy applied to a request: under `calibrated`, the
 * request's `pipelineVersion` must be one the manifest lists for the model.
 */
export function requireAcceptedPipeline(model: EmbeddingModelInfo, policy: PipelinePolicy, pipelineVersion: string | undefined): void {
  if (policy === "any") return;
  if (pipelineVersion !== undefined && model.pipelines.includes(pipelineVersion)) return;
  const listed = model.pipelines.length ? model.pipelines.join(", ") : "none recorded";
  throw new ProblemError(
    "pipeline-not-calibrated",
    `${pipelineVersion === undefined ? "The request names no pipelineVersion" : `Pipeline ${pipelineVersion} is not calibrated`} for ${model.id}; this tenant accepts: ${listed}. Update the SDK, or run the conformance vectors (docs/MOBILE.md) against a port.`,
  );
}

/** Like embeddingModel, but refuses an unknown id with 400 `model-unknown`. */
export function requireEmbeddingModel(id: string): EmbeddingModelInfo {
  const m = embeddingModel(id);
  if (!m) throw new ProblemError("model-unknown", `Known embedding models: ${embeddingModelIds().join(", ")}`);
  return m;
}
