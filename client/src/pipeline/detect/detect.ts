import { resampleToPlanes, ResampleScratch } from "../../image/resample.js";
import type { RgbaImage } from "../../image/types.js";
import { ModelSession } from "../../runtime/session.js";
import { nms, type ScoredBox } from "./nms.js";
import type { CoarsePass } from "./coarse-to-fine.js";
import { checkAnchors, decodeBox, detectorPriors } from "./priors.js";
import type { DetectedFace } from "../types.js";

export type ChannelOrder = "rgb" | "bgr";

export interface DetectorConfig {
  /** Model input size for a full detection (fr_detect: 320x240 by default; the model takes any size). */
  width: number;
  height: number;
  /**
   * Largest horizontal-to-vertical scale ratio allowed when fitting the image
   * into the input: 1 = letterbox (keep the aspect ratio, pad with
   * mid-grey), Infinity = stretch to fill (the original package).
   */
  maxStretch: number;
  channelOrder: ChannelOrder;
  /** Input = (pixel - mean) / std. */
  mean: number;
  std: number;
  /** Minimum face probability (softmax column 1). */
  scoreThreshold: number;
  /** IoU above which a lower-scoring box is a duplicate. */
  nmsIou: number;
  /** A first pass at lower resolution (coarse-to-fine.ts); null: full resolution only. */
  coarse: CoarsePass | null;
}

/** Output of detection: faces by decreasing box area, plus the input geometry. */
export interface Detection {
  faces: DetectedFace[];
}

/** A detector input size. */
export interface InputSize {
  width: number;
  height: number;
}

/**
 * UltraFace-style detector. models/fr_detect.onnx takes any input size and
 * returns raw box regressions, decoded here against priors generated for the
 * size that ran (priors.ts; the package's model decoded them in the graph for
 * 320x240 only, scripts/models/derive-detector.ts).
 */
export class FaceDetector {
  readonly #inputs = new Map<string, Float32Array>();
  readonly #scratch = new ResampleScratch();

  constructor(
    readonly session: ModelSession,
    readonly config: DetectorConfig,
  ) {}

  /** Faces in `img`, the model run at `size` (default: the manifest's input size). */
  async detect(img: RgbaImage, size: InputSize = this.config): Promise<Detection> {
    const { width: IW, height: IH } = size;
    const key = `${IW}x${IH}`;
    let input = this.#inputs.get(key);
    if (!input) this.#inputs.set(key, (input = new Float32Array(3 * IW * IH)));
    // Content rectangle inside the model input, and its scale per source pixel.
    const { cw, ch } = contentSize(img.width, img.height, IW, IH, this.config.maxStretch);
    const padX = Math.floor((IW - cw) / 2);
    const padY = Math.floor((IH - ch) / 2);
    // Padding = mean, i.e. 0 after normalisation.
    if (cw !== IW || ch !== IH) input.fill(0);
    const { mean, std, channelOrder } = this.config;
    resampleToPlanes(
      img,
      { x: 0, y: 0, width: img.width, height: img.height },
      cw,
      ch,
      {
        data: input,
        planeWidth: IW,
        planeHeight: IH,
        offsetX: padX,
        offsetY: padY,
        mean,
        std,
        red: channelOrder === "rgb" ? 0 : 2,
      },
      this.#scratch,
    );

    const name = this.session.entry.inputs[0]!.name;
    const out = await this.session.run({ [name]: this.session.tensor(input, [1, 3, IH, IW]) });
    const scores = ModelSession.floats(out, "scores");
    const regressions = ModelSession.floats(out, "regressions");
    const priors = detectorPriors(IW, IH);
    checkAnchors(regressions, priors);

    const sx = img.width / cw;
    const sy = img.height / ch;
    const candidates: ScoredBox[] = [];
    const n = scores.length / 2;
    for (let i = 0; i < n; i++) {
      const score = scores[2 * i + 1]!;
      if (score < this.config.scoreThreshold) continue;
      const [x1, y1, x2, y2] = decodeBox(regressions, priors, i);
      candidates.push({
        x1: (x1 * IW - padX) * sx,
        y1: (y1 * IH - padY) * sy,
        x2: (x2 * IW - padX) * sx,
        y2: (y2 * IH - padY) * sy,
        score,
      });
    }
    const faces = nms(candidates, this.config.nmsIou)
      .map((b) => ({ box: { x: b.x1, y: b.y1, width: b.x2 - b.x1, height: b.y2 - b.y1 }, score: b.score }))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    return { faces };
  }
}

/**
 * Size of the image inside the model input: fill the input, except that the
 * horizontal and vertical scales may differ by at most `maxStretch`; the
 * rest is padding.
 */
export function contentSize(w: number, h: number, IW: number, IH: number, maxStretch: number): { cw: number; ch: number } {
  let sx = IW / w;
  let sy = IH / h;
  if (sx > sy * maxStretch) sx = sy * maxStretch;
  else if (sy > sx * maxStretch) sy = sx * maxStretch;
  return {
    cw: Math.max(1, Math.min(IW, Math.round(w * sx))),
    ch: Math.max(1, Math.min(IH, Math.round(h * sy))),
  };
}
