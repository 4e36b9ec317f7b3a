import { resampleRegion, ResampleScratch, type Region } from "../../image/resample.js";
import type { RgbaImage } from "../../image/types.js";
import { ModelSession } from "../../runtime/session.js";
import type { ChannelOrder } from "../detect/detect.js";
import type { Box, PadDecision, PadResult } from "../types.js";

/**
 * Passive presentation-attack detection (PAD): small classifiers that look
 * at one frame around the face and say how likely it is a real face in
 * front of the camera (bona fide) rather than a printed photo or a screen.
 * Which models run, how they are fed, how their scores are fused and the
 * operating threshold all come from models/manifest.json (`pad` and each
 * model's `preprocessing`); the measurements behind them are in docs/PAD.md.
 */
export interface PadModelConfig {
  /** Model input side (square). */
  size: number;
  /** Tensor layout the model takes. */
  layout: "nchw" | "nhwc";
  /** Context around the face: crop side = box height x cropScale, fitted inside the image. */
  cropScale: number;
  channelOrder: ChannelOrder;
  /** Input = (pixel - mean) / std. */
  mean: number;
  std: number;
  /** `softmax`: the output is logits of classes (softmax applied here); `probabilities`: already a softmax; `sigmoid`: one probability. */
  output: "softmax" | "probabilities" | "sigmoid";
  /** Index of the bona fide class (for `sigmoid`: 0, the one output). */
  bonaFideClass: number;
}

/**
 * A view: one PAD model run with its manifest preprocessing, or with some
 * of it changed, written `id[key=value,...]` (e.g. `fr-liveness[cropScale=0.9]`).
 * Views of one model share its session: two crop scales of the same model
 * are two views, one download.
 */
export interface PadView {
  /** The view as written (the key of its score). */
  name: string;
  /** Manifest id of the model. */
  model: string;
  preprocessing: Record<string, string | number>;
}

export function parsePadView(spec: string): PadView {
  const m = /^([\w.-]+)(?:\[([^\]]*)\])?$/.exec(spec.trim());
  if (!m) throw new RangeError(`PAD view '${spec}' is not id or id[key=value,...]`);
  const preprocessing: Record<string, string | number> = {};
  for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    if (!k || v === undefined) throw new RangeError(`PAD view '${spec}': '${kv}' is not key=value`);
    preprocessing[k.trim()] = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v.trim();
  }
  return { name: spec.trim(), model: m[1]!, preprocessing };
}

/**
 * How the models' scores become one decision. Each model's bona fide
 * probability p is mapped to its logit, the logits are combined linearly
 * (`bias + sum of weight x logit`) and mapped back through the logistic
 * function: with one model, weight 1 and bias 0 this is the model's own
 * probability. Over a burst, the frames' fused logits are averaged.
 */
export interface PadPolicy {
  /** The views that run (PadView syntax), each scored and weighted on its own. */
  models: readonly string[];
  weights: Readonly<Record<string, number>>;
  bias: number;
  /** Bona fide iff the fused score >= threshold. */
  threshold: number;
  /** A burst is decided on its best frames by quality, at most this many (each costs one run of every PAD model). */
  burstFrames: number;
}

/** Probabilities are clipped here before the logit, so one saturated model cannot outvote the rest without bound. */
const CLIP = 1e-4;

export function logit(p: number): number {
  const q = Math.min(1 - CLIP, Math.max(CLIP, p));
  return Math.log(q / (1 - q));
}

export const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

/** The fused logit of one frame from each model's bona fide probability. */
export function fuseModels(scores: Readonly<Record<string, number>>, policy: PadPolicy): number {
  let z = policy.bias;
  for (const id of policy.models) {
    const p = scores[id];
    if (p === undefined) throw new Error(`no PAD score from "${id}"`);
    z += (policy.weights[id] ?? 0) * logit(p);
  }
  return z;
}

/** The decision for one frame or, with several frames' model scores, for the burst (mean of the frames' fused logits). */
export function padDecision(frames: readonly Readonly<Record<string, number>>[], policy: PadPolicy): PadResult {
  if (frames.length === 0) throw new RangeError("no frames to decide on");
  const z = frames.reduce((s, f) => s + fuseModels(f, policy), 0) / frames.length;
  const score = logistic(z);
  const decision: PadDecision = score >= policy.threshold ? "bona_fide" : "attack";
  const models: Record<string, number> = {};
  for (const id of policy.models) models[id] = frames.reduce((s, f) => s + f[id]!, 0) / frames.length;
  return { decision, score, threshold: policy.threshold, frames: frames.length, models };
}

export class PadModel {
  readonly #input: Float32Array;
  readonly #pixels: Uint8ClampedArray;
  readonly #scratch = new ResampleScratch();

  constructor(
    readonly session: ModelSession,
    readonly config: PadModelConfig,
    /** The view's name (its score's key); default the model's id. */
    readonly id: string = session.id,
  ) {
    this.#input = new Float32Array(3 * config.size * config.size);
    this.#pixels = new Uint8ClampedArray(config.size * config.size * 4);
  }

  /**
   * A square of side box height x cropScale about the box centre, but never
   * larger than the image, then moved inside it (the crop of the package
   * that ships fr-liveness; the other models take the same crop at their
   * own measured scale).
   */
  cropFor(img: RgbaImage, box: Box): Region {
    const side0 = box.height;
    const k = Math.min((img.height - 1) / side0, (img.width - 1) / side0, this.config.cropScale);
    const side = side0 * k;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const x = Math.min(Math.max(0, cx - side / 2), img.width - side);
    const y = Math.min(Math.max(0, cy - side / 2), img.height - side);
    return { x, y, width: side, height: side };
  }

  /** The model's bona fide probability for the face in `box`. */
  async score(img: RgbaImage, box: Box): Promise<number> {
    const { size: n, mean, std, layout } = this.config;
    const crop = resampleRegion(img, this.cropFor(img, box), n, n, this.#pixels, this.#scratch);
    const plane = n * n;
    const [r, b] = this.config.channelOrder === "rgb" ? [0, 2] : [2, 0];
    const px = crop.data;
    const x = this.#input;
    if (layout === "nchw") {
      for (let i = 0, p = 0; i < plane; i++, p += 4) {
        x[r * plane + i] = (px[p]! - mean) / std;
        x[plane + i] = (px[p + 1]! - mean) / std;
        x[b * plane + i] = (px[p + 2]! - mean) / std;
      }
    } else {
      for (let i = 0, p = 0; i < plane; i++, p += 4) {
        x[3 * i + r] = (px[p]! - mean) / std;
        x[3 * i + 1] = (px[p + 1]! - mean) / std;
        x[3 * i + b] = (px[p + 2]! - mean) / std;
      }
    }
    const name = this.session.entry.inputs[0]!.name;
    const dims = layout === "nchw" ? [1, 3, n, n] : [1, n, n, 3];
    const out = await this.session.run({ [name]: this.session.tensor(x, dims) });
    const z = ModelSession.floats(out, this.session.entry.outputs[0]!.name);
    const k = this.config.bonaFideClass;
    if (this.config.output === "sigmoid") return z[0]!;
    if (this.config.output === "probabilities") return z[k]!;
    return softmax(z)[k]!;
  }
}

function softmax(z: Float32Array): number[] {
  const m = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
