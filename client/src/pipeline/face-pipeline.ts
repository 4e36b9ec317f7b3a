import type { ModelManifestT } from "../../../src/protocol/manifest.js";
import { FaceQualityError, PresentationAttackError } from "../errors.js";
import { DEFAULT_IMPULSE, suppressImpulseNoise, type ImpulseOptions } from "../image/impulse.js";
import { DEFAULT_DENOISE, denoise, type DenoiseOptions } from "../image/noise.js";
import type { RgbaImage } from "../image/types.js";
import { loadModelFiles, type Sha256Hex } from "../runtime/load-models.js";
import type { ModelSource } from "../runtime/model-source.js";
import type { OrtPlatform, ProviderPreference } from "../runtime/ort.js";
import type { ModelSession, ToolingOverrides } from "../runtime/session.js";
import { FaceAligner, type AlignConfig } from "./align/align.js";
import { detectCoarseToFine } from "./detect/coarse-to-fine.js";
import { FaceDetector, type DetectorConfig } from "./detect/detect.js";
import { Embedder, type EmbedConfig } from "./embed/embed.js";
import { fivePointsFrom68, type FivePointMode } from "./landmarks/five-points.js";
import { consistentFrames, fuseEmbeddings } from "./embed/fusion.js";
import { LandmarkModel, type LandmarkConfig } from "./landmarks/landmarks.js";
import { openSessions } from "./load/sessions.js";
import { pipelineVersion, planPipeline } from "./load/plan.js";
import { padDecision, PadModel, type PadModelConfig, type PadPolicy } from "./pad/pad.js";
import { brightness, checkQuality, DEFAULT_QUALITY_POLICY, poseFromPoints, qualityScore, sharpness, type QualityPolicy } from "./quality/quality.js";
import { DEFAULT_SHARPEN, unsharpMask, type SharpenPolicy } from "./quality/sharpen.js";
import { DEFAULT_DEBLUR, deblurLinear, estimateMotion, isMotionBlurred, type DeblurPolicy } from "./quality/deblur.js";
import { chooseSubject, DEFAULT_SUBJECT_POLICY, type SubjectPolicy } from "./detect/subject.js";
import {
  DEFAULT_BURST,
  type AnalyzeOptions,
  type BurstAnalysis,
  type BurstOptions,
  type CheckTimings,
  type FaceAnalysis,
  type FaceCheckAnalysis,
  type Frame,
  type LoadProgress,
  type PadResult,
  type Provider,
  type QualityReason,
  type QualityReport,
  type StageTimings,
} from "./types.js";

/** Bumped whenever the pipeline's output for the same image and models could change. */
export const PIPELINE_CODE_VERSION = "facegate-pipeline/5";

export interface FacePipelineOptions {
  /** The ORT platform entry: `nodePlatform()` (runtime/ort-node.ts) or `browserPlatform()` (runtime/ort-browser.ts). */
  platform: OrtPlatform;
  manifest: ModelManifestT;
  /** Where the model files come from: `fetchModelSource(url)` or, in Node, `directoryModelSource(dir)`. */
  source: ModelSource;
  /** Checks every model file against the manifest: `sha256Hex` (runtime/sha256.ts, WebCrypto) or, without WebCrypto, @noble/hashes. */
  sha256: Sha256Hex;
  /** `auto` (default): WebGPU on a hardware adapter, WASM otherwise. */
  provider?: ProviderPreference;
  /**
   * Also load the presentation-attack detection models of the manifest's
   * `pad` block (downloaded only then). Default false.
   */
  pad?: boolean;
  /** Embedding model id; default: the manifest's only (or first) embedding model. */
  embeddingModel?: string;
  onProgress?: (p: LoadProgress) => void;
  /** Override quality gates (defaults: DEFAULT_QUALITY_POLICY, from DevTrain measurements). */
  quality?: Partial<QualityPolicy>;
  subject?: Partial<SubjectPolicy>;
  /** Override the impulse-noise filter (default DEFAULT_IMPULSE, image/impulse.ts). */
  impulse?: Partial<ImpulseOptions>;
  /** Override the median filter for noisy images (default DEFAULT_DENOISE, image/noise.ts). */
  denoise?: Partial<DenoiseOptions>;
  /** Override the sharpening of soft crops (default DEFAULT_SHARPEN, sharpen.ts). */
  sharpen?: Partial<SharpenPolicy>;
  /** Override the directional deblurring of motion-blurred crops (default DEFAULT_DEBLUR, deblur.ts). */
  deblur?: Partial<DeblurPolicy>;
}

/**
 * What only evaluation and comparison tools change, apart from the options
 * an app passes (FacePipeline.load's second argument): the manifest is what
 * production runs.
 */
export interface ToolingOptions {
  /**
   * Override the manifest's preprocessing (evaluation tools only; the
   * manifest is what production runs).
   */
  overrides?: {
    detector?: Partial<DetectorConfig>;
    landmarks?: Partial<LandmarkConfig>;
    fivePoints?: FivePointMode;
    align?: Partial<AlignConfig>;
    embed?: Partial<EmbedConfig>;
    /** PAD: another policy (e.g. other models, weights or threshold) and per-model preprocessing. */
    pad?: { policy?: Partial<PadPolicy>; models?: Record<string, Partial<PadModelConfig>> };
  };
  /** Comparison tools only: run on other ORT providers (e.g. onnxruntime-node's "cpu"). */
  tooling?: ToolingOverrides;
}

interface Stages {
  detector: FaceDetector;
  landmarks: LandmarkModel;
  fivePoints: FivePointMode;
  aligner: FaceAligner;
  embedder: Embedder;
  pad: { models: PadModel[]; policy: PadPolicy } | null;
}

/** Everything a loaded pipeline holds (FacePipeline.load builds it). */
interface PipelineParts {
  stages: Stages;
  sessions: ModelSession[];
  quality: QualityPolicy;
  subject: SubjectPolicy;
  restore: { impulse: ImpulseOptions; denoise: DenoiseOptions; sharpen: SharpenPolicy; deblur: DeblurPolicy };
  modelId: string;
  provider: Provider;
  providerReason: string;
  threshold: number;
  threads: number;
  pipelineVersion: string;
}

/**
 * The on-device face pipeline: detect → choose the subject → 68 landmarks →
 * 5 points → similarity alignment → quality gates → (presentation-attack
 * detection) → embedding.
 * Models load once; every call reuses their sessions and buffers, so calls
 * must not overlap (await one before starting the next).
 */
/** What #locate hands on to the embedding. */
interface Located {
  image: RgbaImage;
  aligned: { image: RgbaImage };
  check: FaceCheckAnalysis;
  /** performance.now() when the analysis began. */
  start: number;
}

export class FacePipeline {
  readonly #stages: Stages;
  readonly #sessions: ModelSession[];
  readonly #quality: QualityPolicy;
  readonly #subject: SubjectPolicy;
  readonly #impulse: ImpulseOptions;
  readonly #denoise: DenoiseOptions;
  readonly #sharpen: SharpenPolicy;
  readonly #deblur: DeblurPolicy;
  readonly #sharpened: Uint8ClampedArray;
  /** The crop's luma plane for the blur estimate, kept: it runs on every frame. */
  readonly #cropLuma: Float32Array;
  #busy = false;

  /** Manifest id of the embedding model. */
  readonly modelId: string;
  /** The provider that runs every model, and why it was chosen. */
  readonly provider: Provider;
  readonly providerReason: string;
  /** The manifest's operating threshold for this embedding model (cosine). */
  readonly threshold: number;
  /** WASM threads the platform configured. */
  readonly threads: number;
  /** Changes whenever output for the same image could change (code, models, preprocessing). */
  readonly pipelineVersion: string;

  private constructor(parts: PipelineParts) {
    this.#stages = parts.stages;
    this.#sessions = parts.sessions;
    this.#quality = parts.quality;
    this.#subject = parts.subject;
    this.#impulse = parts.restore.impulse;
    this.#denoise = parts.restore.denoise;
    this.#sharpen = parts.restore.sharpen;
    this.#deblur = parts.restore.deblur;
    this.#sharpened = new Uint8ClampedArray(parts.stages.aligner.config.size * parts.stages.aligner.config.size * 4);
    this.#cropLuma = new Float32Array(parts.stages.aligner.config.size * parts.stages.aligner.config.size);
    this.modelId = parts.modelId;
    this.provider = parts.provider;
    this.providerReason = parts.providerReason;
    this.threshold = parts.threshold;
    this.threads = parts.threads;
    this.pipelineVersion = parts.pipelineVersion;
  }

  /**
   * Reads the manifest's preprocessing (a manifest without it fails before
   * any download), fetches and checks the models, opens their sessions
   * (WebGPU falling back to WASM unless WebGPU was asked for) and builds the
   * stages. `tools` is for evaluation and comparison tools only.
   */
  static async load(opts: FacePipelineOptions, tools: ToolingOptions = {}): Promise<FacePipeline> {
    const o = tools.overrides ?? {};
    const plan = planPipeline(opts.manifest, { pad: opts.pad ?? false, ...(opts.embeddingModel ? { embeddingModel: opts.embeddingModel } : {}) }, o);
    const files = await loadModelFiles(opts.manifest, plan.wanted, opts.source, opts.sha256, opts.onProgress);
    const { sessions, choice } = await openSessions(opts.platform, files, plan.wanted, opts.provider ?? "auto", tools.tooling);
    const byId = new Map(sessions.map((s) => [s.id, s]));
    const { ids, det, lmk, emb, padConfigs, policy } = plan;
    const stages: Stages = {
      detector: new FaceDetector(byId.get(ids.detector)!, det),
      landmarks: new LandmarkModel(byId.get(ids.landmarks)!, { ...lmk.landmarks, ...o.landmarks }),
      fivePoints: o.fivePoints ?? lmk.fivePoints,
      aligner: new FaceAligner({ ...emb.align, ...o.align }),
      embedder: new Embedder(byId.get(ids.embedding)!, { ...emb.embed, ...o.embed }),
      pad: policy ? { models: padConfigs.map(({ view, config }) => new PadModel(byId.get(view.model)!, config, view.name)), policy } : null,
    };
    const quality = { ...DEFAULT_QUALITY_POLICY, ...opts.quality };
    const subject = { ...DEFAULT_SUBJECT_POLICY, ...opts.subject };
    const restore = {
      impulse: { ...DEFAULT_IMPULSE, ...opts.impulse },
      denoise: { ...DEFAULT_DENOISE, ...opts.denoise },
      sharpen: { ...DEFAULT_SHARPEN, ...opts.sharpen },
      deblur: { ...DEFAULT_DEBLUR, ...opts.deblur },
    };
    // What the embedding depends on (PAD does not change it).
    const version = pipelineVersion(
      PIPELINE_CODE_VERSION,
      [ids.detector, ids.landmarks, ids.embedding].map((id) => opts.manifest.models[id]!.sha256),
      [stages.detector.config, stages.landmarks.config, stages.fivePoints, stages.aligner.config, stages.embedder.config, quality, subject, restore],
    );
    return new FacePipeline({
      stages,
      sessions,
      quality,
      subject,
      restore,
      modelId: ids.embedding,
      provider: choice.provider,
      providerReason: choice.reason,
      threshold: plan.threshold,
      threads: opts.platform.threads,
      pipelineVersion: version,
    });
  }

  /** The PAD policy in force (models, fusion, operating point), or null when PAD was not loaded. */
  get padPolicy(): PadPolicy | null {
    return this.#stages.pad?.policy ?? null;
  }

  /**
   * Analyse one image. Throws FaceQualityError (stable `reason`) when the
   * image is refused; any other error is a bug or a runtime failure.
   */
  async analyze(image: RgbaImage, opts: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    return (await this.#exclusive(image, opts)).analysis;
  }

  /**
   * Find the face and apply the quality gates, without PAD or the embedding: what a live preview
   * needs to guide the user (FaceClient.inspect()), at the cost of the detector and landmark
   * models only. Throws FaceQualityError as analyze() does for the same image.
   */
  async check(image: RgbaImage): Promise<FaceCheckAnalysis> {
    return this.#serially(async () => (await this.#locate(image, true)).check);
  }

  async #exclusive(image: RgbaImage, opts: AnalyzeOptions): Promise<{ analysis: FaceAnalysis; image: RgbaImage }> {
    return this.#serially(() => this.#analyze(image, opts));
  }

  async #serially<T>(run: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new Error("FacePipeline.analyze calls must not overlap: await the previous one");
    this.#busy = true;
    try {
      return await run();
    } finally {
      this.#busy = false;
    }
  }

  /** Each PAD model's bona fide probability for the face in `box`. */
  async #padScores(image: RgbaImage, box: FaceAnalysis["face"]["box"]): Promise<Record<string, number>> {
    const pad = this.#stages.pad;
    if (!pad) throw new Error("presentation-attack detection was requested but the pipeline was loaded without it (FacePipelineOptions.pad)");
    const scores: Record<string, number> = {};
    for (const model of pad.models) scores[model.id] = await model.score(image, box);
    return scores;
  }

  /**
   * Everything before PAD and the embedding: the (denoised) image, the subject's face, its
   * landmarks, the aligned crop and its quality, with the gates applied unless switched off.
   */
  async #locate(original: RgbaImage, enforceQuality: boolean): Promise<Located> {
    if (original.width < 1 || original.height < 1 || original.data.length < original.width * original.height * 4) {
      throw new RangeError(`not an RGBA image of ${original.width}x${original.height}`);
    }
    const st = this.#stages;
    const tn = performance.now();
    // Salt-and-pepper noise misleads every model downstream; clean images come back as they are.
    const despeckled = suppressImpulseNoise(original, this.#impulse).image;
    // Noise that is no longer at the extremes (impulses on single channels, impulses after JPEG) is
    // caught by its level instead; clean photos are far below it and come back as they are.
    const image = denoise(despeckled, this.#denoise).image;
    const t0 = performance.now();
    const { faces, pass } = await detectCoarseToFine(st.detector, image, st.detector.config.coarse, this.#subject);
    const t1 = performance.now();

    const choice = chooseSubject(faces, image.width, image.height, this.#subject);
    if (!choice) throw new FaceQualityError("no-face", "No face found in the picture.", { faces: 0 });
    if (choice.ambiguous) {
      throw new FaceQualityError("multiple-faces", `${faces.length} faces of similar prominence: only one person may be in the picture.`, {
        faces: faces.length,
        runnerUpRatio: Math.round(choice.runnerUpRatio * 100) / 100,
        maxRatio: this.#subject.ambiguityRatio,
      });
    }
    const face = choice.subject;
    const pts = await st.landmarks.predict(image, face.box);
    const landmarks = fivePointsFrom68(pts, st.fivePoints);
    const t2 = performance.now();
    // A box the landmark model cannot read (a false detection) gives collapsed or non-finite points.
    const iod = Math.hypot(landmarks[1].x - landmarks[0].x, landmarks[1].y - landmarks[0].y);
    if (!Number.isFinite(iod) || iod < 1 || landmarks.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y))) {
      throw new FaceQualityError("no-face", "No usable face found in the picture (its features could not be located).", { faces: faces.length });
    }

    const aligned = st.aligner.align(image, landmarks);
    const t3 = performance.now();

    const bright = brightness(aligned.image);
    const measured: Omit<QualityReport, "score"> = {
      interOcularPx: iod,
      sharpness: sharpness(aligned.image, bright),
      brightness: bright,
      pose: poseFromPoints(landmarks, aligned.transform),
      outside: aligned.outside,
    };
    const quality: QualityReport = { ...measured, score: qualityScore(measured, this.#quality) };
    if (enforceQuality) {
      const refusal = checkQuality(quality, this.#quality);
      if (refusal) throw refusal;
    }
    const t4 = performance.now();
    const timings: CheckTimings = { denoise: t0 - tn, detect: t1 - t0, landmarks: t2 - t1, align: t3 - t2, quality: t4 - t3, total: t4 - tn };
    const check: FaceCheckAnalysis = {
      face,
      landmarks,
      points68: pts,
      otherFaces: choice.others,
      detectionPass: pass,
      quality,
      provider: this.provider,
      timings,
    };
    return { image, aligned, check, start: tn };
  }

  /** The analysis, and the (denoised) image it was made from, for PAD over a burst. */
  async #analyze(original: RgbaImage, opts: AnalyzeOptions): Promise<{ analysis: FaceAnalysis; image: RgbaImage }> {
    const st = this.#stages;
    const { image, aligned, check, start } = await this.#locate(original, opts.enforceQuality !== false);
    const { face, quality } = check;

    // PAD before the embedding: a refused attack costs no embedding.
    let pad: PadResult | null = null;
    let padMs: number | undefined;
    const mode = opts.pad ?? "off";
    if (mode !== "off") {
      const tp = performance.now();
      pad = padDecision([await this.#padScores(image, face.box)], st.pad!.policy);
      padMs = performance.now() - tp;
      if (mode === "refuse" && pad.decision === "attack") throw new PresentationAttackError(pad);
    }
    const t5 = performance.now();
    const crop = this.#restoreCrop(aligned.image, quality.sharpness);
    const embedding = await st.embedder.embed(crop);
    const t6 = performance.now();

    const timings: StageTimings = {
      ...check.timings,
      ...(padMs !== undefined ? { pad: padMs } : {}),
      embed: t6 - t5,
      total: t6 - start,
    };
    const analysis: FaceAnalysis = { ...check, embedding, modelId: this.modelId, pad, timings };
    return { analysis, image };
  }

  /**
   * Soft crops (isotropic blur: focus) get the unsharp mask; crops that read sharp but lost their
   * fine detail in one direction (motion blur, then JPEG) get a 1-D deconvolution along it; every
   * other crop is embedded as it is.
   */
  #restoreCrop(crop: RgbaImage, cropSharpness: number): RgbaImage {
    if (cropSharpness < this.#sharpen.belowSharpness) return unsharpMask(crop, this.#sharpen.sigma, this.#sharpen.amount, this.#sharpened);
    if (this.#deblur.belowDetailRatio <= 0) return crop;
    const motion = estimateMotion(crop, this.#cropLuma);
    if (!isMotionBlurred(motion, this.#deblur)) return crop;
    return deblurLinear(crop, motion.theta, this.#deblur.length, this.#deblur.iterations, this.#sharpened);
  }

  /**
   * Temporal fusion over a burst of frames (a video): analyse frames in
   * order until `maxFrames` good ones fall within `windowMs`, drop frames
   * whose face does not match the others (at the model's threshold: someone
   * else stepped in), and fuse the rest weighted by quality. Throws the most
   * frequent FaceQualityError when fewer than `minFrames` remain.
   *
   * On a device too slow to analyse `maxFrames` frames within `windowMs`
   * (a low-end phone, or WebGPU on a software adapter at seconds per frame)
   * the window stretches to `maxFrames` times the slowest analysis seen so
   * far, so a burst stays possible: frames are still consecutive, and the
   * consistency check still drops a face that changed.
   *
   * With `pad`, presentation-attack detection runs once the frames are
   * chosen, on the best `burstFrames` of them by quality (PadPolicy), and
   * decides on the mean of their fused scores; each of those frames carries
   * its own `pad`. With `pad: "refuse"` an attack throws
   * PresentationAttackError.
   */
  async analyzeBurst(frames: Iterable<Frame | RgbaImage> | AsyncIterable<Frame | RgbaImage>, opts: BurstOptions = {}): Promise<BurstAnalysis> {
    const maxFrames = opts.maxFrames ?? DEFAULT_BURST.maxFrames;
    const minFrames = Math.min(opts.minFrames ?? DEFAULT_BURST.minFrames, maxFrames);
    const windowMs = opts.windowMs ?? DEFAULT_BURST.windowMs;
    const good: { a: FaceAnalysis; t: number; image: RgbaImage }[] = [];
    const frameOpts: AnalyzeOptions = { ...opts, pad: "off" };
    const rejected: BurstAnalysis["rejected"] = {};
    const errors: FaceQualityError[] = [];
    const totals: StageTimings = { detect: 0, landmarks: 0, align: 0, quality: 0, embed: 0, total: 0 };
    let index = 0;
    let slowest = 0;
    for await (const item of frames) {
      const frame: Frame = "image" in item ? item : { image: item };
      const t = frame.timestamp ?? index * (windowMs / maxFrames);
      index++;
      try {
        const { analysis: a, image } = await this.#exclusive(frame.image, frameOpts);
        slowest = Math.max(slowest, a.timings.total);
        for (const k of Object.keys(totals) as (keyof StageTimings)[]) totals[k] = (totals[k] ?? 0) + (a.timings[k] ?? 0);
        good.push({ a, t, image });
      } catch (e) {
        if (!(e instanceof FaceQualityError)) throw e;
        errors.push(e);
        rejected[e.reason] = (rejected[e.reason] ?? 0) + 1;
        continue;
      }
      // Keep only good frames within the window ending at this one.
      const span = Math.max(windowMs, maxFrames * slowest);
      while (good.length && t - good[0]!.t > span) good.shift();
      if (good.length >= maxFrames) break;
    }
    const items = good.map(({ a }) => ({ embedding: a.embedding, weight: a.quality.score }));
    const keep = consistentFrames(items, this.threshold);
    const dropped = good.length - keep.length;
    if (dropped > 0) rejected.inconsistent = dropped;
    if (keep.length < minFrames) {
      if (dropped > 0) {
        throw new FaceQualityError("multiple-faces", "The face changed during the capture: only one person may be in front of the camera.", {
          consistent: keep.length,
          needed: minFrames,
        });
      }
      const counts = new Map<QualityReason, number>();
      for (const e of errors) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1);
      const worst = [...counts.entries()].sort((x, y) => y[1] - x[1])[0];
      const example = worst ? errors.find((e) => e.reason === worst[0]) : undefined;
      if (example) {
        throw new FaceQualityError(example.reason, `${keep.length} usable frame(s) of ${index}, ${minFrames} needed. ${example.message}`, {
          ...example.details,
          usableFrames: keep.length,
          needed: minFrames,
        });
      }
      throw new FaceQualityError("no-face", `${keep.length} usable frame(s) of ${index}, ${minFrames} needed.`, { usableFrames: keep.length });
    }
    const used = keep.map((i) => good[i]!.a);
    const embedding = fuseEmbeddings(keep.map((i) => items[i]!));
    let pad: PadResult | null = null;
    const mode = opts.pad ?? "off";
    if (mode !== "off") {
      const policy = this.#stages.pad?.policy;
      const tp = performance.now();
      const best = [...keep].sort((x, y) => good[y]!.a.quality.score - good[x]!.a.quality.score).slice(0, policy?.burstFrames ?? 1);
      const scores: Record<string, number>[] = [];
      for (const i of best) {
        const g = good[i]!;
        const s = await this.#padScores(g.image, g.a.face.box);
        g.a.pad = padDecision([s], policy!);
        scores.push(s);
      }
      pad = padDecision(scores, policy!);
      const ms = performance.now() - tp;
      totals.pad = ms;
      totals.total += ms;
      if (mode === "refuse" && pad.decision === "attack") throw new PresentationAttackError(pad);
    }
    return {
      embedding,
      modelId: this.modelId,
      frames: used,
      rejected,
      quality: used.reduce((s, a) => s + a.quality.score, 0) / used.length,
      pad,
      provider: this.provider,
      timings: totals,
    };
  }

  /** What the quality gates would refuse in this report (null: usable), for callers that analysed with `enforceQuality: false`. */
  qualityRefusal(quality: QualityReport): FaceQualityError | null {
    return checkQuality(quality, this.#quality);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#sessions.map((s) => s.release().catch(() => undefined)));
  }
}
