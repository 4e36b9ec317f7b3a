import {
  actionShown,
  ACTION_RULE,
  MAX_EVIDENCE_FRAMES,
  type EvidenceFrame,
  type LivenessAction,
  type LivenessEvidence,
} from "../../../../src/protocol/liveness.js";
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
  /** Eye aspect ratio of the 68 points, once per frame (the thinning and every stretch read it). */
  ear: number;
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
  // The longest wait between two analysed frames: over the rule's 1 s, no evidence can hold both.
  let longestGapMs = 0;
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
    if (seen.length > 0) longestGapMs = Math.max(longestGapMs, t - seen[seen.length - 1]!.t);
    seen.push({
      t,
      a,
      usable: Math.abs(a.quality.pose.yaw) <= ACTION_RULE.frontalYaw && pipeline.qualityRefusal(a.quality) === null,
      ear: eyeAspectRatio(a.points68),
    });
    // A gap or a jump the rule refuses (a slow frame, a face lost at a steep turn) can never lie
    // inside evidence: the frames before it start over instead of spoiling every later window.
    if (seen.length > 1 && !continuous(seen[seen.length - 2]!, seen[seen.length - 1]!)) seen.splice(0, seen.length - 1);
    if (seen.length > MAX_EVIDENCE_FRAMES) thin(seen);
    const built = shownIn(seen, action, pipeline.threshold);
    if (built) {
      opts.onPrompt?.({ action, message: "Thank you.", stage: "seen" });
      return { ...built, analysed };
    }
  }
  throw new LivenessError("action-not-shown", `The camera did not see the requested action in ${Math.round(maxMs / 1000)} s: ${ACTION_MESSAGES[action]}`, {
    action,
    analysed,
    longestGapMs: Math.round(longestGapMs),
  });
}

function continuous(before: Seen, after: Seen): boolean {
  const gap = after.t - before.t;
  return gap > 0 && gap <= ACTION_RULE.maxGapMs && boxIou(before.a.face.box, after.a.face.box) >= ACTION_RULE.minIou;
}

/**
 * Keeps the history within what an envelope may carry (MAX_EVIDENCE_FRAMES)
 * without shortening the time it spans: a device that analyses 15 frames a
 * second fills 64 frames in about 4 s, less than a slow turn right and left
 * takes. Drops the frame in the densest stretch, so the spacing stays even,
 * but never one that is the history's furthest turn either way or its most
 * closed eyes (what the action rule looks for), nor one whose neighbours would
 * then break the rule's continuity. When no frame may go, the oldest does.
 */
function thin(seen: Seen[]): void {
  const keep = new Set<number>();
  let left = 0;
  let right = 0;
  let closed = -1;
  for (let i = 0; i < seen.length; i++) {
    const q = seen[i]!.a.quality;
    if (q.pose.yaw > seen[left]!.a.quality.pose.yaw) left = i;
    if (q.pose.yaw < seen[right]!.a.quality.pose.yaw) right = i;
    if (Math.abs(q.pose.yaw) <= ACTION_RULE.frontalYaw && (closed < 0 || seen[i]!.ear < seen[closed]!.ear)) closed = i;
  }
  keep.add(left).add(right).add(closed);
  let drop = 0; // the oldest, unless another frame may go
  let span = Number.POSITIVE_INFINITY;
  for (let i = 1; i < seen.length - 1; i++) {
    if (keep.has(i)) continue;
    const s = seen[i + 1]!.t - seen[i - 1]!.t;
    if (s < span && continuous(seen[i - 1]!, seen[i + 1]!)) {
      span = s;
      drop = i;
    }
  }
  seen.splice(drop, 1);
}

/**
 * The evidence of the action in the history, if any stretch of it shows it:
 * the history may begin mid-action (the user moved before the prompt), so
 * each frontal frame is tried as the start, the earliest first. Pose, eyes
 * and continuity are checked before any agreement is computed; the verdict is
 * the server's own rule (protocol/liveness.ts) on exactly what is sent.
 */
function shownIn(seen: readonly Seen[], action: LivenessAction, threshold: number): { embedding: Float32Array; evidence: LivenessEvidence } | null {
  // Each frame's overlap with the one before it is the same in every stretch that holds both.
  const iou = seen.map((s, i) => (i === 0 ? 1 : round(boxIou(seen[i - 1]!.a.face.box, s.a.face.box), 3)));
  for (let start = 0; start <= seen.length - ACTION_RULE.minFrames; start++) {
    if (Math.abs(seen[start]!.a.quality.pose.yaw) > ACTION_RULE.frontalYaw) continue;
    const stretch = seen.slice(start);
    const shape = shapeOf(stretch, iou.slice(start));
    if (!actionShown(shape, action, Number.NEGATIVE_INFINITY).ok) continue;
    const built = evidenceOf(stretch, shape, threshold);
    if (built && actionShown(built.evidence.frames, action, threshold).ok) return built;
  }
  return null;
}

/** The evidence frames without the agreement (which needs the probe): what the rule's other checks read. */
function shapeOf(stretch: readonly Seen[], iou: readonly number[]): EvidenceFrame[] {
  return stretch.map((s, i) => ({
    t: Math.round(s.t - stretch[0]!.t),
    yaw: round(s.a.quality.pose.yaw, 1),
    pitch: round(s.a.quality.pose.pitch, 1),
    ear: round(s.ear, 4),
    agree: 1,
    iou: i === 0 ? 1 : iou[i]!,
  }));
}

/** The probe from the usable frontal frames, and every frame's evidence against it; null until there are enough. */
function evidenceOf(
  stretch: readonly Seen[],
  shape: readonly EvidenceFrame[],
  threshold: number,
): { embedding: Float32Array; evidence: LivenessEvidence } | null {
  const good = stretch.filter((s) => s.usable);
  if (good.length < MIN_PROBE_FRAMES) return null;
  const embedding = fuseEmbeddings(good.map((s) => ({ embedding: s.a.embedding, weight: s.a.quality.score })));
  if (good.some((s) => similarity(s.a.embedding, embedding) < threshold)) return null;
  const frames = shape.map((f, i) => ({ ...f, agree: round(similarity(stretch[i]!.a.embedding, embedding), 4) }));
  return { embedding, evidence: { v: 1, frames } };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
