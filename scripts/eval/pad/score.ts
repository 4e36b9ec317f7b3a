/**
 * Scores presentations with the SDK pipeline (client/src/pipeline, the code
 * the browser runs: detection, subject choice, landmarks, quality gates, then
 * PAD on the chosen face), onnxruntime-web WASM, one thread. Every candidate
 * PAD model listed runs on every image; fusion and thresholds are applied
 * afterwards (fuse.ts), so one scoring run serves every combination.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { FacePipeline } from "../../../client/src/pipeline/face-pipeline.js";
import { directoryModelSource, readManifest } from "../../../client/src/runtime/model-dir-node.js";
import { nodePlatform } from "../../../client/src/runtime/ort-node.js";
import { parsePadView, type PadView } from "../../../client/src/pipeline/pad/pad.js";
import { sdkDecoder, qualityReason } from "../embed/embedder.js";
import { Progress } from "../embed/progress.js";
import type { Presentation } from "./dataset.js";
import { sha256Hex } from "../../../client/src/runtime/sha256.js";

export interface ScoredImage {
  rel: string;
  type: string;
  subject: string;
  source: string;
  split: string;
  /** Each PAD model's bona fide probability, or null when the pipeline refused the image before PAD. */
  scores: Record<string, number> | null;
  /** Why it was refused (a FaceQualityError reason, or `decode-error`). */
  refused?: string;
}

/**
 * A candidate is a PAD view (client/src/pipeline/pad/pad.ts): a manifest PAD
 * model id, optionally with preprocessing changed, written `id[key=value,...]`
 * (e.g. `fr-liveness[channelOrder=rgb,cropScale=2]`). Views of one model run
 * side by side on one session, exactly as the SDK runs a shipped view.
 */
export type Candidate = PadView;
export const parseCandidate = parsePadView;

export interface ScoreOptions {
  modelsDir: string;
  /** PAD candidates to run. */
  candidates: readonly Candidate[];
  /** Apply the quality gates as shipped (default true): PAD sees what production would let through. */
  qualityGates?: boolean;
  label?: string;
  /** No progress line (tests). */
  quiet?: boolean;
}

export async function scorePresentations(items: readonly Presentation[], o: ScoreOptions): Promise<ScoredImage[]> {
  const manifest = await readManifest(o.modelsDir);
  const pipe = await FacePipeline.load(
    {
      platform: nodePlatform({ threads: 1 }),
      manifest,
      source: directoryModelSource(o.modelsDir),
      sha256: sha256Hex,
      provider: "wasm",
      pad: true,
    },
    { overrides: { pad: { policy: { models: o.candidates.map((c) => c.name), weights: {}, bias: 0 } } } },
  );
  const { decode } = await sdkDecoder();
  const progress = new Progress(o.label ?? "images", items.length, o.quiet ? null : process.stderr);
  const out: ScoredImage[] = [];
  try {
    for (const p of items) {
      const base = { rel: p.rel, type: p.type, subject: p.subject, source: p.source, split: p.split };
      let image;
      try {
        image = await decode(new Uint8Array(await readFile(p.file)), p.file);
      } catch (e) {
        if ((e as Error).name !== "ImageDecodeError") throw e;
        out.push({ ...base, scores: null, refused: "decode-error" });
        progress.tick();
        continue;
      }
      try {
        const a = await pipe.analyze(image, { pad: "report", enforceQuality: o.qualityGates !== false });
        out.push({ ...base, scores: { ...a.pad!.models } });
      } catch (e) {
        const reason = qualityReason(e);
        if (!reason) throw new Error(`${path.relative(process.cwd(), p.file)}: ${(e as Error).message}`, { cause: e });
        out.push({ ...base, scores: null, refused: reason });
      }
      progress.tick();
    }
  } finally {
    progress.finish();
    await pipe.dispose();
  }
  return out;
}
