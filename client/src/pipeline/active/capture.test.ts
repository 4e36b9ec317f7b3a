import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionShown, MAX_EVIDENCE_FRAMES, type LivenessAction } from "../../../../src/protocol/liveness.js";
import { LivenessError } from "../../errors.js";
import { readImageFile } from "../../image/decode-node.js";
import type { RgbaImage } from "../../image/types.js";
import type { FacePipeline } from "../face-pipeline.js";
import { testPipeline } from "../testing.js";
import type { FaceAnalysis, Frame } from "../types.js";
import { captureAction } from "./capture.js";

/**
 * The SDK's side of the active challenge on a real head turn
 * (../shared/data/video/anit-spoofing_real.webm, README there): from 4.5 s
 * the person looks at the camera for about 2.3 s, turns to their right, then
 * to their left, and looks back by 12.3 s. Frames at 15 fps, as a camera
 * gives them; the real models decide every frame's pose and embedding.
 */
const CLIP = fileURLToPath(new URL("../../../../../shared/data/video/anit-spoofing_real.webm", import.meta.url));
const FPS = 15;

describe.skipIf(!existsSync(CLIP))("captureAction on a real head turn", () => {
  let pipe: FacePipeline;
  let images: RgbaImage[];
  /** Each frame's analysis once: the captures below read the same frames in different orders and spacings. */
  const analysed = new Map<RgbaImage, Promise<FaceAnalysis>>();
  let remembered: FacePipeline;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "facegate-turn-"));
    try {
      const filter = "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1";
      const r = spawnSync("ffmpeg", ["-v", "error", "-ss", "4.5", "-t", "8", "-i", CLIP, "-vf", `${filter},fps=${FPS}`, join(dir, "f%03d.png")]);
      expect(r.status, r.stderr?.toString()).toBe(0);
      images = await Promise.all(
        readdirSync(dir)
          .sort()
          .map((f) => readImageFile(join(dir, f))),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    pipe = await testPipeline();
    // The real pipeline, each frame analysed once (captureAction reads these three members).
    remembered = {
      threshold: pipe.threshold,
      qualityRefusal: (q) => pipe.qualityRefusal(q),
      analyze: (image, opts) => {
        if (!analysed.has(image)) analysed.set(image, pipe.analyze(image, opts));
        return analysed.get(image)!;
      },
    } satisfies Pick<FacePipeline, "threshold" | "qualityRefusal" | "analyze"> as unknown as FacePipeline;
  }, 180_000);

  afterAll(() => pipe?.dispose());

  /** Frames `indices` of the clip, stamped with their time in it. */
  function frames(indices: number[]): Frame[] {
    return indices.map((i) => ({ image: images[i]!, timestamp: (i * 1000) / FPS }));
  }
  const every = (step: number, from = 0) => Array.from({ length: Math.ceil((images.length - from) / step) }, (_, k) => from + k * step);

  async function outcome(fs: Frame[], action: LivenessAction) {
    try {
      const c = await captureAction(remembered, fs, action);
      return { shown: true as const, frames: c.evidence.frames, analysed: c.analysed };
    } catch (e) {
      if (e instanceof LivenessError) return { shown: false as const, reason: e.reason };
      throw e;
    }
  }

  it("sees the turn at the full frame rate, though it lasts longer than the evidence's 64 frames at 15 fps; the evidence passes the server's rule", async () => {
    const r = await outcome(frames(every(1)), "turn-right-left");
    expect(r.shown).toBe(true);
    if (!r.shown) return;
    // More frames were analysed than an envelope may carry: the history was thinned, not cut short.
    expect(r.analysed).toBeGreaterThan(MAX_EVIDENCE_FRAMES);
    expect(r.frames.length).toBeLessThanOrEqual(MAX_EVIDENCE_FRAMES);
    expect(actionShown(r.frames, "turn-right-left", pipe.threshold)).toEqual({ ok: true });
    // It spans the whole turn: from the frontal start to the frontal end, more than 64 frames' time apart.
    expect(r.frames.at(-1)!.t).toBeGreaterThan((MAX_EVIDENCE_FRAMES * 1000) / FPS);
  }, 180_000);

  it("sees it on a slow device too (one frame in five analysed)", async () => {
    const r = await outcome(frames(every(5)), "turn-right-left");
    expect(r).toMatchObject({ shown: true });
  }, 180_000);

  it("starts over after a gap the server's rule refuses (a stalled frame), and still sees the turn after it", async () => {
    // Frames 0-5, then nothing for 1.4 s, then the rest: evidence across the gap would be refused as not continuous.
    const r = await outcome(frames([...every(2).filter((i) => i <= 5), ...every(2, 26)]), "turn-right-left");
    expect(r.shown).toBe(true);
    if (!r.shown) return;
    expect(actionShown(r.frames, "turn-right-left", pipe.threshold)).toEqual({ ok: true });
    expect(r.frames[0]!.t).toBe(0);
    expect(r.frames.every((f, i) => i === 0 || f.t - r.frames[i - 1]!.t <= 1000)).toBe(true);
  }, 180_000);

  it("does not take a turn right then left for a turn left then right", async () => {
    expect(await outcome(frames(every(2)), "turn-left-right")).toEqual({ shown: false, reason: "action-not-shown" });
  }, 180_000);

  it("does not see it when the capture starts after the turn began (the start of a turn is part of the action)", async () => {
    // From 3 s: mid-way through the turn to the right.
    expect(await outcome(frames(every(2, 3 * FPS)), "turn-right-left")).toEqual({ shown: false, reason: "action-not-shown" });
  }, 180_000);
});
