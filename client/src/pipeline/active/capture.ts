import { actionShown, ACTION_RULE, type EvidenceFrame, type LivenessAction, type LivenessEvidence } from "../../../../src/protocol/liveness.js";
import { similarity } from "../../../../src/protocol/similarity.js";
import { FaceQualityError, LivenessError } from "../../errors.js";
import type { FacePipeline } from "../face-pipeline.js";
import { fuseEmbeddings } from "../embed/fusion.js";
import type { FaceAnalysis, Frame } from "../types.js";
import { boxIou, eyeAspectRatio } from "./measures.js";

/**
 * An active liveness capture: frames from the camera until they show the
 * challenged action by one face (the same rule the server applies,
 * protocol/liveness.ts), then the probe (the fusion of the good frontal
 * frames) and the per-frame evidence to seal with it. Never pixels: only
 * pose, eye openness, box overlap and each frame's agreement with the probe.
 */
export interface ActionCapture {
  embedding: Float32Array;
  evidence: LivenessEvidence;
  /** Frames analysed, and how many the evidence holds. */
  analysed: number;
}

export interface ActionPrompt {
  action: LivenessAction;
  /** What to tell the user, in plain words (show it in a live region). */
  message: string;
  /** `start` before the first frame, `seen` once the action was seen. */
  stage: "start" | "seen";
}

export interface ActionCaptureOptions {
  /** Stop after this long without the action (ms, frame time). Default 8000. */
  maxMs?: number;
  onPrompt?: (p: ActionPrompt) => void;
}

export const ACTION_MESSAGES: Record<LivenessAction, string> = {
  blink: "Look at the camera and blink slowly.",
  "turn-left-right": "Slowly turn your head to your left, then to your right, then look back at the camera.",
  "turn-right-left": "Slowly turn your head to your right, then to your left, then look back at the camera.",
};

interface Seen {
  t: number;
  a: FaceAnalysis;
  usable: boolean;
}

const MIN_PROBE_FRAMES = 3;

export async function captureAction(
  pipeline: FacePipeline,
  frames: AsyncIterable<Frame> | Iterable<Frame>,
  action: LivenessAction,
  opts: ActionCaptureOptions = {},
): Promise<ActionCapture> {
  const maxMs = opts.maxMs ?? 8000;
  opts.onPrompt?.({ action, message: ACTION_MESSAGES[action], stage: "start" });
  const seen: Seen[] = [];
  let start: number | null = null;
  let analysed = 0;
  let index = 0;
  for await (const frame of frames) {
    const t = frame.timestamp ?? index * 100;
    index++;
    start ??= t;
    if (t - start > maxMs) break;
    let a: FaceAnalysis;
    try {
      // Turned heads are the point of a turn challenge: the gates decide only which frames make the probe.
      a = await pipeline.analyze(frame.image, { enforceQuality: false });
    } catch (e) {
      if (!(e instanceof FaceQualityError)) throw e;
      // No face found (a missed detection at a steep turn), or two: skip the frame. The rule's
      // limits on gaps and box jumps decide whether the track it leaves is still one face.
      continue;
    }
    analysed++;
    seen.push({ t, a, usable: Math.abs(a.quality.pose.yaw) <= ACTION_RULE.frontalYaw && pipeline.qualityRefusal(a.quality) === null });
    if (seen.length > 64) seen.shift();
    const built = evidenceOf(seen, pipeline.threshold);
    if (built && actionShown(built.evidence.frames, action, pipeline.threshold).ok) {
      opts.onPrompt?.({ action, message: "Thank you.", stage: "seen" });
      return { ...built, analysed };
    }
  }
  throw new LivenessError("action-not-shown", `The camera did not see the requested action in ${Math.round(maxMs / 1000)} s: ${ACTION_MESSAGES[action]}`, {
    action,
    analysed,
  });
}

/** The probe from the usable frontal frames, and every frame's evidence against it; null until there are enough. */
function evidenceOf(seen: readonly Seen[], threshold: number): { embedding: Float32Array; evidence: LivenessEvidence } | null {
  const good = seen.filter((s) => s.usable);
  if (good.length < MIN_PROBE_FRAMES) return null;
  const embedding = fuseEmbeddings(good.map((s) => ({ embedding: s.a.embedding, weight: s.a.quality.score })));
  if (good.some((s) => similarity(s.a.embedding, embedding) < threshold)) return null;
  const t0 = seen[0]!.t;
  const frames: EvidenceFrame[] = seen.map((s, i) => ({
    t: Math.round(s.t - t0),
    yaw: round(s.a.quality.pose.yaw, 1),
    pitch: round(s.a.quality.pose.pitch, 1),
    ear: round(eyeAspectRatio(s.a.points68), 4),
    agree: round(similarity(s.a.embedding, embedding), 4),
    iou: i === 0 ? 1 : round(boxIou(seen[i - 1]!.a.face.box, s.a.face.box), 3),
  }));
  return { embedding, evidence: { v: 1, frames } };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
