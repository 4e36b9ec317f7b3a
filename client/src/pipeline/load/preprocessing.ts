import * as z from "zod/mini";
import type { ModelEntryT, ModelManifestT } from "../../../../src/protocol/manifest.js";
import { ModelLoadError } from "../../errors.js";
import { ARCFACE_112 } from "../landmarks/five-points.js";
import type { AlignConfig } from "../align/align.js";
import type { DetectorConfig } from "../detect/detect.js";
import type { EmbedConfig } from "../embed/embed.js";
import type { LandmarkConfig } from "../landmarks/landmarks.js";
import { parsePadView, type PadModelConfig, type PadPolicy } from "../pad/pad.js";
import type { FivePointMode } from "../landmarks/five-points.js";

/**
 * The `preprocessing` block of each model in models/manifest.json is the
 * source of truth for how the pipeline feeds that model; these schemas read
 * the fields the code uses (the manifest also carries the measurements
 * behind them, which are kept loose).
 */
const channelOrder = z.enum(["rgb", "bgr"]);
// zod/mini keeps the browser bundle small (classic zod is ~450 KB minified).
const int = () => z.number().check(z.int());
const positive = () => z.number().check(z.positive());
const unit = () => z.number().check(z.gte(0), z.lte(1));

const DetectorPre = z.looseObject({
  width: int().check(z.positive()),
  height: int().check(z.positive()),
  maxStretch: z.number().check(z.gte(1)),
  channelOrder,
  mean: z.number(),
  std: positive(),
  scoreThreshold: unit(),
  nmsIou: unit(),
  coarse: z.optional(
    z.looseObject({
      width: int().check(z.positive()),
      height: int().check(z.positive()),
      minSide: positive(),
      deferRatio: unit(),
    }),
  ),
});

const LandmarkPre = z.looseObject({
  size: int().check(z.positive()),
  cropScale: positive(),
  inputScale: positive(),
  placement: z.enum(["shift", "replicate"]),
  refinePasses: int().check(z.gte(0), z.lte(3)),
  flipAverage: z.boolean(),
  fivePoints: z.enum(["ring", "package"]),
});

const EmbeddingPre = z.looseObject({
  size: int().check(z.positive()),
  channelOrder,
  mean: z.number(),
  std: positive(),
  flip: z.boolean(),
  alignment: z.looseObject({
    reference: z.literal("arcface-112"),
    antiAliasAbove: z.number().check(z.gte(1)),
  }),
});

const PadPre = z.looseObject({
  size: int().check(z.positive()),
  layout: z.enum(["NCHW", "NHWC"]),
  cropScale: positive(),
  channelOrder,
  mean: z.number(),
  std: positive(),
  output: z.enum(["softmax", "probabilities", "sigmoid"]),
  bonaFideClass: int().check(z.gte(0)),
});

/** The manifest's top-level `pad` block: which models decide, how they are fused, the operating point. */
const PadBlock = z.looseObject({
  models: z.array(z.string()).check(z.minLength(1)),
  fusion: z.looseObject({ weights: z.record(z.string(), z.number()), bias: z.number() }),
  threshold: unit(),
  burstFrames: z.optional(int().check(z.gte(1))),
});

function parse<T>(schema: z.ZodMiniType<T>, id: string, entry: ModelEntryT): T {
  const r = schema.safeParse(entry.preprocessing);
  if (!r.success) throw new ModelLoadError(id, `manifest preprocessing of "${id}" is incomplete: ${z.prettifyError(r.error)}`);
  return r.data;
}

export function detectorConfig(id: string, entry: ModelEntryT): DetectorConfig {
  const p = parse(DetectorPre, id, entry);
  return {
    width: p.width,
    height: p.height,
    maxStretch: p.maxStretch,
    channelOrder: p.channelOrder,
    mean: p.mean,
    std: p.std,
    scoreThreshold: p.scoreThreshold,
    nmsIou: p.nmsIou,
    coarse: p.coarse ? { width: p.coarse.width, height: p.coarse.height, minSide: p.coarse.minSide, deferRatio: p.coarse.deferRatio } : null,
  };
}

export function landmarkConfig(id: string, entry: ModelEntryT): { landmarks: LandmarkConfig; fivePoints: FivePointMode } {
  const p = parse(LandmarkPre, id, entry);
  return {
    landmarks: {
      size: p.size,
      cropScale: p.cropScale,
      inputScale: p.inputScale,
      placement: p.placement,
      refinePasses: p.refinePasses,
      flipAverage: p.flipAverage,
    },
    fivePoints: p.fivePoints,
  };
}

export function embeddingConfig(id: string, entry: ModelEntryT): { embed: EmbedConfig; align: AlignConfig } {
  const p = parse(EmbeddingPre, id, entry);
  return {
    embed: { size: p.size, channelOrder: p.channelOrder, mean: p.mean, std: p.std, flip: p.flip },
    align: { size: p.size, reference: ARCFACE_112, antiAliasAbove: p.alignment.antiAliasAbove },
  };
}

export function padModelConfig(id: string, entry: ModelEntryT): PadModelConfig {
  const p = parse(PadPre, id, entry);
  return {
    size: p.size,
    layout: p.layout === "NCHW" ? "nchw" : "nhwc",
    cropScale: p.cropScale,
    channelOrder: p.channelOrder,
    mean: p.mean,
    std: p.std,
    output: p.output,
    bonaFideClass: p.bonaFideClass,
  };
}

/** The shipped PAD policy (models/manifest.json `pad`), or null when the manifest has none. */
export function padPolicy(manifest: ModelManifestT): PadPolicy | null {
  const block = (manifest as Record<string, unknown>)["pad"];
  if (block === undefined) return null;
  const r = PadBlock.safeParse(block);
  if (!r.success) throw new ModelLoadError("pad", `the manifest's pad block is incomplete: ${z.prettifyError(r.error)}`);
  for (const spec of r.data.models) {
    const id = parsePadView(spec).model;
    if (manifest.models[id]?.role !== "liveness") throw new ModelLoadError(id, `pad model "${id}" is not a liveness-role model in the manifest`);
  }
  return {
    models: r.data.models,
    weights: r.data.fusion.weights,
    bias: r.data.fusion.bias,
    threshold: r.data.threshold,
    burstFrames: r.data.burstFrames ?? 1,
  };
}
