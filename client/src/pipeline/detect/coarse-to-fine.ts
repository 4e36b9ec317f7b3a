import type { RgbaImage } from "../../image/types.js";
import { contentSize, type FaceDetector } from "./detect.js";
import { chooseSubject, prominence, type SubjectPolicy } from "./subject.js";
import type { DetectedFace } from "../types.js";

/**
 * A first detection pass at a lower resolution, trusted only when it shows a
 * clear subject big enough that no face able to change the decision could
 * have escaped it.
 *
 * Verification photos are close-ups: the face fills a good part of the frame
 * and the detector does not need 320x240 pixels to find it. At 160x120 it
 * costs about a third (5.7 against 15.8 ms per image on WASM, 1 thread, LFW),
 * so the pipeline looks there first. The coarse result decides only when
 *
 * 1. its runner-up is well below the ambiguity line (prominence ratio under
 *    `deferRatio`, half of the policy's `ambiguityRatio`): close calls are
 *    made at full resolution, where the policy was tuned; and
 * 2. every face that could make the picture ambiguous is big enough for the
 *    coarse pass to see: such a face has at least `ambiguityRatio` of the
 *    subject's prominence, and prominence is at most the box area, so its
 *    area is at least ambiguityRatio x the subject's prominence; the side of
 *    that area, in coarse input pixels, must be at least `minSide`.
 *
 * Otherwise (no face, a small or off-centre subject, a second face) the
 * full-resolution pass runs and decides alone, exactly as without a coarse
 * pass. Measured on LFW DevTrain (manifest, fr-detect preprocessing.coarse):
 * the coarse pass decided 99.0% of the 3,443 images and agreed with the full
 * pass on all of them but 6 (0.17%), photos where the full pass saw a second face of
 * similar prominence that the coarse pass did not (they are accepted with
 * the centred subject instead of refused as multiple-faces). What a coarse
 * decision can also leave out is faces too small to matter
 * (FaceAnalysis.otherFaces then lacks them).
 */
export interface CoarsePass {
  /** Coarse input size. */
  width: number;
  height: number;
  /** Smallest face side, in coarse input pixels, the coarse pass is trusted to find. */
  minSide: number;
  /**
   * The full pass decides when the coarse runner-up has at least this fraction of the
   * subject's prominence (or the policy's ambiguityRatio, if that is lower).
   */
  deferRatio: number;
}

export interface FacesFound {
  faces: DetectedFace[];
  /** Which pass decided: the coarse one, or the full-resolution one. */
  pass: "coarse" | "full";
}

export async function detectCoarseToFine(detector: FaceDetector, img: RgbaImage, coarse: CoarsePass | null, policy: SubjectPolicy): Promise<FacesFound> {
  if (coarse) {
    const { faces } = await detector.detect(img, coarse);
    const choice = chooseSubject(faces, img.width, img.height, policy);
    if (
      choice &&
      // Never decide a close call here, whatever the two settings are.
      choice.runnerUpRatio < Math.min(coarse.deferRatio, policy.ambiguityRatio) &&
      smallestDecisiveSide(choice.subject, img, coarse, detector.config.maxStretch, policy) >= coarse.minSide
    ) {
      return { faces, pass: "coarse" };
    }
  }
  return { faces: (await detector.detect(img)).faces, pass: "full" };
}

/**
 * Side, in coarse input pixels, of the smallest face that could make the
 * subject ambiguous (or outrank it): area = ambiguityRatio x the subject's prominence.
 */
export function smallestDecisiveSide(
  subject: DetectedFace,
  img: { width: number; height: number },
  coarse: CoarsePass,
  maxStretch: number,
  policy: SubjectPolicy,
): number {
  const { cw, ch } = contentSize(img.width, img.height, coarse.width, coarse.height, maxStretch);
  const areaSource = policy.ambiguityRatio * prominence(subject, img.width, img.height, policy.centralitySigma);
  return Math.sqrt(areaSource * (cw / img.width) * (ch / img.height));
}
