import type { ModelEntryT, ModelManifestT } from "../../../../src/protocol/manifest.js";
import { ModelLoadError } from "../../errors.js";
import type { ToolingOptions } from "../face-pipeline.js";
import { parsePadView, type PadPolicy } from "../pad/pad.js";
import { detectorConfig, embeddingConfig, landmarkConfig, padModelConfig, padPolicy } from "./preprocessing.js";

function idByRole(manifest: ModelManifestT, role: ModelEntryT["role"], wanted?: string): string {
  if (wanted) {
    if (manifest.models[wanted]?.role !== role) throw new ModelLoadError(wanted, `"${wanted}" is not a ${role} model in the manifest`);
    return wanted;
  }
  const id = Object.keys(manifest.models).find((k) => manifest.models[k]!.role === role);
  if (!id) throw new ModelLoadError(role, `the manifest has no ${role} model`);
  return id;
}

/**
 * Which models a pipeline needs and how each is fed, read from the manifest
 * before anything is downloaded, so a manifest without its preprocessing (or
 * a PAD request it cannot serve) fails first.
 */
export function planPipeline(m: ModelManifestT, want: { pad: boolean; embeddingModel?: string }, o: NonNullable<ToolingOptions["overrides"]>) {
  const ids = {
    detector: idByRole(m, "detector"),
    landmarks: idByRole(m, "landmarks"),
    embedding: idByRole(m, "embedding", want.embeddingModel),
  };
  const shippedPad = want.pad ? padPolicy(m) : null;
  if (want.pad && !shippedPad && !o.pad?.policy?.models)
    throw new ModelLoadError("pad", "presentation-attack detection was requested but the manifest has no pad block");
  const policy: PadPolicy | null = want.pad
    ? {
        models: [],
        weights: {},
        bias: 0,
        threshold: 0.5,
        burstFrames: 1,
        ...shippedPad,
        ...o.pad?.policy,
      }
    : null;
  const views = (policy?.models ?? []).map(parsePadView);
  for (const v of views) {
    if (m.models[v.model]?.role !== "liveness") throw new ModelLoadError(v.model, `"${v.model}" is not a PAD (liveness-role) model in the manifest`);
  }
  const padIds = [...new Set(views.map((v) => v.model))];
  const entry = (id: string) => m.models[id]!;
  const det = { ...detectorConfig(ids.detector, entry(ids.detector)), ...o.detector };
  const lmk = landmarkConfig(ids.landmarks, entry(ids.landmarks));
  const emb = embeddingConfig(ids.embedding, entry(ids.embedding));
  // A view's preprocessing is its model's, with the view's changes, read (and checked) as the manifest's is.
  const padConfigs = views.map((v) => {
    const e = entry(v.model);
    const config = padModelConfig(v.name, { ...e, preprocessing: { ...e.preprocessing, ...v.preprocessing } });
    return { view: v, config: { ...config, ...o.pad?.models?.[v.name] } };
  });
  const embedding = entry(ids.embedding).embedding;
  if (!embedding) throw new ModelLoadError(ids.embedding, `"${ids.embedding}" has no embedding section in the manifest`);
  return { ids, wanted: [ids.detector, ids.landmarks, ids.embedding, ...padIds], det, lmk, emb, padConfigs, policy, threshold: embedding.threshold };
}

/** FNV-1a, for a short stable fingerprint of the configuration. */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** A version that changes whenever output for the same image could change: code, models (sha256), configuration. */
export function pipelineVersion(code: string, modelSha256s: readonly string[], config: unknown): string {
  return [code, ...modelSha256s.map((h) => h.slice(0, 12)), fingerprint(JSON.stringify(config))].join(":");
}
