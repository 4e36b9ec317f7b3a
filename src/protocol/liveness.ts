import * as z from "zod/mini";

/**
 * Liveness in the wire contract: what a challenge may ask for, the
 * per-frame evidence the SDK measures and seals with the embedding (never
 * pixels), and the rule that decides whether the evidence shows the
 * challenged action by one face. The server applies the rule (the vault,
 * inside the attempt); the SDK applies the same rule to know when to stop
 * capturing, so the two can never disagree about what "a blink" is.
 *
 * What this stops, and what it cannot, is in docs/PAD.md ("Active
 * challenge"): the evidence comes from the client, so it proves an action in
 * front of an unmodified SDK (a printed photo or a still on a screen does not
 * blink or turn on command), never that a modified client did not invent it.
 */

/** What a tenant requires, and a challenge carries: none, the passive PAD score, or an action on command. */
export const LIVENESS_LEVELS = ["off", "passive", "active"] as const;
export type LivenessLevel = (typeof LIVENESS_LEVELS)[number];

/**
 * Actions a challenge may name. "left" and "right" are the user's own: a turn
 * to the user's left moves the nose towards the right of an unmirrored camera
 * image, which the SDK's yaw proxy reports as positive (client/src/pipeline/quality/quality.ts).
 */
export const LIVENESS_ACTIONS = ["blink", "turn-left-right", "turn-right-left"] as const;
export type LivenessAction = (typeof LIVENESS_ACTIONS)[number];

/** One analysed camera frame, as the SDK reports it. */
export interface EvidenceFrame {
  /** ms since the first frame of the capture. */
  t: number;
  /** Head-pose proxies (degrees): yaw positive towards the user's left. */
  yaw: number;
  pitch: number;
  /** Eye aspect ratio (mean of both eyes) from the 68 landmarks: falls when the eyes close. */
  ear: number;
  /** Cosine similarity of this frame's embedding to the probe sent with it. */
  agree: number;
  /** Intersection over union of this frame's face box with the previous frame's (1 for the first). */
  iou: number;
}

export interface LivenessEvidence {
  v: 1;
  frames: EvidenceFrame[];
  /** The passive PAD score of the capture (the SDK's fused bona fide probability), when it ran. */
  pad?: number;
}

export const MAX_EVIDENCE_FRAMES = 64;
/** Evidence bytes after the embedding in an envelope's plaintext (JSON, UTF-8): 64 frames fit, and the largest envelope stays within the 16 KiB body limit. */
export const MAX_EVIDENCE_BYTES = 6 * 1024;

const finite = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));

export const EvidenceFrameSchema = z.strictObject({
  t: finite(0, 60_000),
  yaw: finite(-90, 90),
  pitch: finite(-90, 90),
  ear: finite(0, 2),
  agree: finite(-1, 1),
  iou: finite(0, 1),
});

export const LivenessEvidenceSchema = z.strictObject({
  v: z.literal(1),
  frames: z.array(EvidenceFrameSchema).check(z.minLength(1), z.maxLength(MAX_EVIDENCE_FRAMES)),
  pad: z.optional(finite(0, 1)),
});

/**
 * The rule's parameters. Set on real webcam clips and attack stills
 * (`npm run eval:active`, docs/PAD.md "Active challenge"): the eye aspect
 * ratio of the SDK's 68 points fell to 0.56-0.77 of its open level in every
 * blink of the development clips, and varied by at most about 5% with the eyes
 * open; the yaw proxy reached ±30-55° in deliberate turns and stayed within
 * ±10° looking at the camera.
 */
export const ACTION_RULE = {
  /** A frame is frontal (it can judge a blink and must show the probe's face) within this yaw. */
  frontalYaw: 20,
  /** A blink: a frontal frame at most this fraction of the open level... */
  closedRatio: 0.85,
  /** ...between frames at least this fraction of it, before and after. */
  openRatio: 0.95,
  /** A turn reaches this yaw, each way. */
  turnYaw: 20,
  /** Frames in a capture at least, and a frontal frame at its start and end. */
  minFrames: 6,
  /** No gap between frames longer than this: a swap of faces cannot hide in one. */
  maxGapMs: 1000,
  /** The face box may not jump between frames (the same face, followed). */
  minIou: 0.2,
} as const;

export type ActionVerdict = { ok: true } | { ok: false; why: "too-few-frames" | "not-continuous" | "another-face" | "no-action" };

const frontal = (f: EvidenceFrame) => Math.abs(f.yaw) <= ACTION_RULE.frontalYaw;

/**
 * Whether the frames show `action` by one face. `agreeThreshold` is the
 * embedding model's operating threshold: every frontal frame must match the
 * probe at it (turned frames cannot, at 50° the embedding of the same face is
 * no longer similar, so the box track and the time gaps keep them honest).
 */
export function actionShown(frames: readonly EvidenceFrame[], action: LivenessAction, agreeThreshold: number): ActionVerdict {
  const r = ACTION_RULE;
  if (frames.length < r.minFrames) return { ok: false, why: "too-few-frames" };
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i]!.t - frames[i - 1]!.t;
    if (gap <= 0 || gap > r.maxGapMs || frames[i]!.iou < r.minIou) return { ok: false, why: "not-continuous" };
  }
  if (!frontal(frames[0]!) || !frontal(frames[frames.length - 1]!)) return { ok: false, why: "no-action" };
  if (frames.some((f) => frontal(f) && f.agree < agreeThreshold)) return { ok: false, why: "another-face" };
  const shown = action === "blink" ? blinked(frames) : turned(frames, action === "turn-left-right" ? 1 : -1);
  return shown ? { ok: true } : { ok: false, why: "no-action" };
}

/** Open, closed, open again, on frontal frames, against the capture's own open level. */
function blinked(frames: readonly EvidenceFrame[]): boolean {
  const ears = frames.filter(frontal).map((f) => f.ear);
  if (ears.length < ACTION_RULE.minFrames) return false;
  // The open level: a high quantile, so the closed frames of a blink do not lower it.
  const sorted = [...ears].sort((a, b) => a - b);
  const open = sorted[Math.floor(0.8 * (sorted.length - 1))]!;
  let state: "before" | "closed" = "before";
  let sawOpen = false;
  for (const e of ears) {
    if (state === "before") {
      if (e >= ACTION_RULE.openRatio * open) sawOpen = true;
      else if (sawOpen && e <= ACTION_RULE.closedRatio * open) state = "closed";
    } else if (e >= ACTION_RULE.openRatio * open) {
      return true;
    }
  }
  return false;
}

/** A turn one way (sign +1: the user's left first) and then the other. */
function turned(frames: readonly EvidenceFrame[], first: 1 | -1): boolean {
  const t = ACTION_RULE.turnYaw;
  let i = 0;
  while (i < frames.length && frames[i]!.yaw * first < t) i++;
  while (i < frames.length && frames[i]!.yaw * first > -t) i++;
  return i < frames.length;
}

/** The higher of two levels (a relying party may ask for more than its tenant requires, never less). */
export function strongerLevel(a: LivenessLevel, b: LivenessLevel): LivenessLevel {
  return LIVENESS_LEVELS.indexOf(a) >= LIVENESS_LEVELS.indexOf(b) ? a : b;
}
