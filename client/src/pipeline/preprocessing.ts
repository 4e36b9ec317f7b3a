import * as z from "zod/mini";
import type { ModelEntryT } from "../../../src/protocol/manifest.js";
import { ModelLoadError } from "../errors.js";
import { ARCFACE_112 } from "./five-points.js";
import type { AlignConfig } from "./align.js";
import type { DetectorConfig } from "./detect.js";
import type { EmbedConfig } from "./embed.js";
import type { LandmarkConfig } from "./landmarks.js";
import type { LivenessConfig } from "./liveness.js";
import type { FivePointMode } from "./five-points.js";

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

const LivenessPre = z.looseObject({
  size: int().check(z.positive()),
  cropScale: positive(),
  channelOrder,
  mean: z.number(),
  std: positive(),
  liveClass: z.union([z.literal(0), z.literal(1), z.literal(2)]),
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
    coarse: p.coarse
      ? { width: p.coarse.width, height: p.coarse.height, minSide: p.coarse.minSide, deferRatio: p.coarse.deferRatio }
      : null,
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

export function livenessConfig(id: string, entry: ModelEntryT): LivenessConfig {
  const p = parse(LivenessPre, id, entry);
  return { size: p.size, cropScale: p.cropScale, channelOrder: p.channelOrder, mean: p.mean, std: p.std, liveClass: p.liveClass };
}
