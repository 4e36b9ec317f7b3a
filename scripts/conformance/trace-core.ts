import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { ModelManifestT } from "../../src/protocol/manifest.js";
import { FaceQualityError } from "../../client/src/errors.js";
import { DEFAULT_IMPULSE, suppressImpulseNoise } from "../../client/src/image/impulse.js";
import { DEFAULT_DENOISE, denoise } from "../../client/src/image/noise.js";
import type { RgbaImage } from "../../client/src/image/types.js";
import { FaceAligner } from "../../client/src/pipeline/align/align.js";
import { detectCoarseToFine } from "../../client/src/pipeline/detect/coarse-to-fine.js";
import { FaceDetector } from "../../client/src/pipeline/detect/detect.js";
import { FacePipeline } from "../../client/src/pipeline/face-pipeline.js";
import type { FivePointMode } from "../../client/src/pipeline/landmarks/five-points.js";
import { detectorConfig, embeddingConfig } from "../../client/src/pipeline/load/preprocessing.js";
import { brightness, sharpness } from "../../client/src/pipeline/quality/quality.js";
import { DEFAULT_SHARPEN } from "../../client/src/pipeline/quality/sharpen.js";
import { chooseSubject, DEFAULT_SUBJECT_POLICY } from "../../client/src/pipeline/detect/subject.js";
import type { DetectedFace } from "../../client/src/pipeline/types.js";
import { loadModelFiles } from "../../client/src/runtime/load-models.js";
import type { ModelSource } from "../../client/src/runtime/model-source.js";
import type { OrtPlatform } from "../../client/src/runtime/ort.js";
import { ModelSession, type ToolingOverrides } from "../../client/src/runtime/session.js";
import { FORMAT, THUMBNAIL_SIDE } from "./format-constants.js";
import type { ConformanceResult } from "./format.js";

/**
 * The reference implementation of the conformance format, without a
 * platform: the SDK's FacePipeline (client/src/pipeline/face-pipeline.ts),
 * plus what analyze() does not return (every detected box, the aligned crop)
 * recomputed from the same exported stages on the same image. Each
 * recomputed value is checked against what analyze() reported (the
 * subject's box, the crop's brightness, sharpness and outside fraction), so
 * if face-pipeline.ts ever composes its stages differently this throws
 * instead of writing vectors for a pipeline that does not exist.
 * trace.ts loads it in Node; the React Native package's Hermes test runs it
 * in Hermes (packages/react-native/test/hermes/conformance-entry.ts).
 */

export interface ReferenceParts {
  platform: OrtPlatform;
  manifest: ModelManifestT;
  source: ModelSource;
  /** Comparison runtimes only (onnxruntime-node's "cpu"). */
  tooling?: ToolingOverrides;
  /** A deliberately drifted pipeline (the conformance test shows the runner refuses it). */
  fivePoints?: FivePointMode;
}

export class ReferenceDriftError extends Error {
  override name = "ReferenceDriftError";
  constructor(what: string) {
    super(`${what}: scripts/conformance/trace.ts no longer follows client/src/pipeline/face-pipeline.ts`);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

const bytesOf = (img: RgbaImage): Uint8Array => new Uint8Array(img.data.buffer, img.data.byteOffset, img.width * img.height * 4);

const round = (v: number, decimals: number): number => {
  const k = 10 ** decimals;
  const r = Math.round(v * k) / k;
  return r === 0 ? 0 : r;
};

/** Hash, per-channel mean and standard deviation, and an 8x8 block-mean thumbnail of a crop's RGB. */
export function summariseCrop(crop: RgbaImage): NonNullable<ConformanceResult["aligned"]> {
  const { width: w, height: h, data: d } = crop;
  const rgbBytes = new Uint8Array(w * h * 3);
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) {
      const v = d[i * 4 + c]!;
      rgbBytes[i * 3 + c] = v;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const n = w * h;
  const mean = sum.map((s) => s / n);
  const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c]! ** 2)));
  const thumbnail: [number, number, number][] = [];
  for (let by = 0; by < THUMBNAIL_SIDE; by++) {
    for (let bx = 0; bx < THUMBNAIL_SIDE; bx++) {
      const [x0, x1] = [Math.floor((bx * w) / THUMBNAIL_SIDE), Math.floor(((bx + 1) * w) / THUMBNAIL_SIDE)];
      const [y0, y1] = [Math.floor((by * h) / THUMBNAIL_SIDE), Math.floor(((by + 1) * h) / THUMBNAIL_SIDE)];
      const acc = [0, 0, 0];
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) acc[c]! += d[(y * w + x) * 4 + c]!;
      const count = (x1 - x0) * (y1 - y0);
      thumbnail.push([round(acc[0]! / count, 1), round(acc[1]! / count, 1), round(acc[2]! / count, 1)]);
    }
  }
  const triple = (a: number[]): [number, number, number] => [round(a[0]!, 3), round(a[1]!, 3), round(a[2]!, 3)];
  return { rgbSha256: sha256Hex(rgbBytes), mean: triple(mean), std: triple(std), thumbnail };
}

const sameFace = (a: DetectedFace, b: DetectedFace): boolean =>
  a.score === b.score && a.box.x === b.box.x && a.box.y === b.box.y && a.box.width === b.box.width && a.box.height === b.box.height;

export class ReferenceCore {
  private constructor(
    readonly pipeline: FacePipeline,
    readonly detector: FaceDetector,
    readonly aligner: FaceAligner,
  ) {}

  /** The SDK's pipeline on `platform` (its sessions first), then a second detector session for every box. */
  static async build(parts: ReferenceParts): Promise<ReferenceCore> {
    const { platform, manifest, source } = parts;
    const tooling = parts.tooling ?? {};
    const digest = async (b: Uint8Array) => sha256Hex(b);
    const pipeline = await FacePipeline.load(
      { platform, manifest, source, sha256: digest, provider: "wasm" },
      { tooling, ...(parts.fivePoints ? { overrides: { fivePoints: parts.fivePoints } } : {}) },
    );
    const detectorId = Object.keys(manifest.models).find((k) => manifest.models[k]!.role === "detector")!;
    const files = await loadModelFiles(manifest, [detectorId], source, digest);
    const entry = manifest.models[detectorId]!;
    const session = await ModelSession.create(platform.ort, detectorId, entry, files.get(detectorId)!.bytes, "wasm", tooling);
    const detector = new FaceDetector(session, detectorConfig(detectorId, entry));
    const aligner = new FaceAligner(embeddingConfig(pipeline.modelId, manifest.models[pipeline.modelId]!).align);
    return new ReferenceCore(pipeline, detector, aligner);
  }

  /** The document for one image, its fields in the format's order. */
  async trace(image: RgbaImage): Promise<ConformanceResult> {
    const r = await this.#trace(image);
    return {
      format: r.format,
      decoded: r.decoded,
      restoration: r.restoration,
      detection: r.detection,
      subject: r.subject,
      ...(r.points ? { points: r.points } : {}),
      ...(r.aligned ? { aligned: r.aligned } : {}),
      ...(r.quality ? { quality: r.quality } : {}),
      ...(r.embedding ? { embedding: r.embedding } : {}),
      refusal: r.refusal,
    };
  }

  async #trace(image: RgbaImage): Promise<ConformanceResult> {
    // The pipeline's own restoration, with its defaults (face-pipeline.ts #analyze).
    const despeckled = suppressImpulseNoise(image, DEFAULT_IMPULSE);
    const restored = denoise(despeckled.image, DEFAULT_DENOISE);
    const prepared = restored.image;
    const { faces, pass } = await detectCoarseToFine(this.detector, prepared, this.detector.config.coarse, DEFAULT_SUBJECT_POLICY);
    const choice = chooseSubject(faces, prepared.width, prepared.height, DEFAULT_SUBJECT_POLICY);
    const subject = choice && !choice.ambiguous ? faces.indexOf(choice.subject) : null;
    const result: ConformanceResult = {
      format: FORMAT,
      decoded: { width: image.width, height: image.height, rgbaSha256: sha256Hex(bytesOf(image)) },
      restoration: { impulse: despeckled.applied, median: restored.applied },
      detection: {
        pass,
        faces: faces.map((f) => ({
          box: { x: round(f.box.x, 4), y: round(f.box.y, 4), width: round(f.box.width, 4), height: round(f.box.height, 4) },
          score: round(f.score, 6),
        })),
      },
      subject,
      refusal: null,
    };

    let analysis;
    try {
      analysis = await this.pipeline.analyze(image, { pad: "off", enforceQuality: false });
    } catch (e) {
      if (!(e instanceof FaceQualityError)) throw e;
      if (e.reason === "multiple-faces" && !choice?.ambiguous) throw new ReferenceDriftError("analyze() found the picture ambiguous, the reference did not");
      // A no-face with a subject here is analyze() refusing landmarks it cannot use (collapsed points).
      result.refusal = { reason: e.reason as NonNullable<ConformanceResult["refusal"]>["reason"] };
      return result;
    }
    if (subject === null || !sameFace(analysis.face, faces[subject]!) || analysis.detectionPass !== pass) {
      throw new ReferenceDriftError("analyze() chose another face or pass than the reference's detection");
    }
    result.points = analysis.landmarks.map((p) => ({ x: round(p.x, 4), y: round(p.y, 4) })) as NonNullable<ConformanceResult["points"]>;
    const aligned = this.aligner.align(prepared, analysis.landmarks);
    const q = analysis.quality;
    const bright = brightness(aligned.image);
    if (bright !== q.brightness || sharpness(aligned.image, bright) !== q.sharpness || aligned.outside !== q.outside) {
      throw new ReferenceDriftError("the recomputed crop is not the one analyze() measured");
    }
    result.aligned = summariseCrop(aligned.image);
    result.quality = {
      score: round(q.score, 6),
      interOcularPx: round(q.interOcularPx, 4),
      sharpness: round(q.sharpness, 4),
      brightness: round(q.brightness, 4),
      pose: { yaw: round(q.pose.yaw, 4), pitch: round(q.pose.pitch, 4), roll: round(q.pose.roll, 4) },
      outside: round(q.outside, 6),
    };
    const refusal = this.pipeline.qualityRefusal(q);
    if (refusal) {
      result.refusal = { reason: refusal.reason as NonNullable<ConformanceResult["refusal"]>["reason"] };
      return result;
    }
    result.embedding = {
      // The pipeline's rule (face-pipeline.ts): unsharp-mask crops softer than DEFAULT_SHARPEN.belowSharpness.
      sharpened: q.sharpness < DEFAULT_SHARPEN.belowSharpness,
      values: Array.from(analysis.embedding, (v) => round(v, 6)),
    };
    return result;
  }

  async dispose(): Promise<void> {
    await this.pipeline.dispose();
    await this.detector.session.release();
  }
}
