import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaceQualityError, PresentationAttackError } from "../errors.js";
import { gaussianBlurRgb } from "../image/gaussian.js";
import { resize } from "../image/resample.js";
import type { RgbaImage } from "../image/types.js";
import { similarity } from "../../../src/protocol/similarity.js";
import manifest from "../../../models/manifest.json";
import { padDecision } from "./pad/pad.js";
import type { FacePipeline } from "./face-pipeline.js";
import { DEFAULT_QUALITY_POLICY } from "./quality/quality.js";
import { FACES_DIR, readFace, solid, testPipeline } from "./testing.js";
import type { FaceAnalysis } from "./types.js";

/**
 * The whole pipeline on the real models and the development photos
 * (../shared/data/faces: six identity folders, multi/, hard/). Nothing here
 * is tuned to these files: thresholds come from the manifest and the
 * DevTrain-calibrated gates.
 */

const IDENTITIES = readdirSync(FACES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "multi" && d.name !== "hard")
  .map((d) => d.name)
  .sort();
const PHOTOS = IDENTITIES.flatMap((id) =>
  readdirSync(`${FACES_DIR}/${id}`)
    .sort()
    .map((f) => ({ id, rel: `${id}/${f}` })),
);

const GENUINE_PAIRS = IDENTITIES.reduce((s, id) => {
  const n = PHOTOS.filter((p) => p.id === id).length;
  return s + (n * (n - 1)) / 2;
}, 0);

async function refusal(p: Promise<unknown>): Promise<FaceQualityError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof FaceQualityError)) throw new Error(`expected a FaceQualityError, got ${String(e)}`);
  return e;
}

/** Paste `src` into `dst` (both RGBA) at (x, y). */
function paste(dst: RgbaImage, src: RgbaImage, x: number, y: number): void {
  for (let r = 0; r < src.height; r++) {
    (dst.data as Uint8ClampedArray).set(src.data.subarray(r * src.width * 4, (r + 1) * src.width * 4), ((y + r) * dst.width + x) * 4);
  }
}

/** Per-pixel colour map (exposure changes). */
function mapPixels(img: RgbaImage, f: (v: number) => number): RgbaImage {
  const data = new Uint8ClampedArray(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 ? 255 : f(img.data[i]!);
  return { data, width: img.width, height: img.height };
}

/** The camera out of focus: Gaussian blur, rounded into an image. */
function gaussianBlur(img: RgbaImage, sigma: number): RgbaImage {
  const blurred = gaussianBlurRgb(img, sigma);
  const data = new Uint8ClampedArray(img.data.length);
  for (let i = 0, n = img.width * img.height; i < n; i++) {
    data.set([blurred[i * 3]!, blurred[i * 3 + 1]!, blurred[i * 3 + 2]!, 255], i * 4);
  }
  return { data, width: img.width, height: img.height };
}

describe("FacePipeline on real photos", () => {
  let pipe: FacePipeline;
  const analysed = new Map<string, FaceAnalysis>();

  beforeAll(async () => {
    pipe = await testPipeline({ pad: true });
    for (const p of PHOTOS) analysed.set(p.rel, await pipe.analyze(await readFace(p.rel)));
  });
  afterAll(async () => {
    await pipe?.dispose();
  });

  it("loads on WASM in Node and reports the manifest's model and threshold", () => {
    expect(pipe.provider).toBe("wasm");
    expect(pipe.modelId).toBe("fr512-v1");
    expect(pipe.threshold).toBeGreaterThan(0.2);
    expect(pipe.threshold).toBeLessThan(0.6);
    expect(pipe.pipelineVersion).toMatch(/^facegate-pipeline\/5:/);
  });

  it("is a pipeline version the manifest lists as calibrated (a tenant under `pipelines: calibrated` accepts it)", () => {
    // A change to what the pipeline computes changes its version: recalibrate (npm run calibrate -- --write-manifest
    // records it) before this passes again, or tenants that accept only calibrated pipelines refuse the SDK.
    expect(manifest.models["fr512-v1"].embedding.pipelines).toContain(pipe.pipelineVersion);
  });

  it("accepts every identity photo with an L2-normalised 512-d embedding, per-stage timings and the provider", () => {
    expect(analysed.size).toBe(PHOTOS.length);
    for (const a of analysed.values()) {
      expect(a.embedding).toHaveLength(512);
      expect(Math.hypot(...a.embedding)).toBeCloseTo(1, 5);
      expect(a.provider).toBe("wasm");
      expect(a.quality.score).toBeGreaterThan(0);
      for (const k of ["detect", "landmarks", "align", "quality", "embed", "total"] as const) expect(a.timings[k]).toBeGreaterThanOrEqual(0);
      expect(a.timings.total).toBeGreaterThanOrEqual(a.timings.detect + a.timings.embed);
    }
  });

  it("gives each photo the same embedding whatever was analysed before (no state leaks between calls)", async () => {
    // Reverse order: every photo now follows a different one (other sizes, other crops).
    for (const p of [...PHOTOS].reverse()) {
      const again = await pipe.analyze(await readFace(p.rel));
      expect([...again.embedding], p.rel).toEqual([...analysed.get(p.rel)!.embedding]);
    }
  });

  it("matches every same-person pair at the manifest threshold", () => {
    const misses: string[] = [];
    let pairs = 0;
    for (let i = 0; i < PHOTOS.length; i++)
      for (let j = i + 1; j < PHOTOS.length; j++) {
        if (PHOTOS[i]!.id !== PHOTOS[j]!.id) continue;
        pairs++;
        const s = similarity(analysed.get(PHOTOS[i]!.rel)!.embedding, analysed.get(PHOTOS[j]!.rel)!.embedding);
        if (s < pipe.threshold) misses.push(`${PHOTOS[i]!.rel} ~ ${PHOTOS[j]!.rel}: ${s.toFixed(3)}`);
      }
    expect(pairs).toBe(GENUINE_PAIRS);
    expect(misses).toEqual([]);
  });

  it("does not match any different-person pair at the manifest threshold", () => {
    const falseMatches: string[] = [];
    let pairs = 0;
    for (let i = 0; i < PHOTOS.length; i++)
      for (let j = i + 1; j < PHOTOS.length; j++) {
        if (PHOTOS[i]!.id === PHOTOS[j]!.id) continue;
        pairs++;
        const s = similarity(analysed.get(PHOTOS[i]!.rel)!.embedding, analysed.get(PHOTOS[j]!.rel)!.embedding);
        if (s >= pipe.threshold) falseMatches.push(`${PHOTOS[i]!.rel} ~ ${PHOTOS[j]!.rel}: ${s.toFixed(3)}`);
      }
    expect(pairs).toBe((PHOTOS.length * (PHOTOS.length - 1)) / 2 - GENUINE_PAIRS);
    expect(falseMatches).toEqual([]);
  });

  describe("hard/", () => {
    for (const file of ["obama_partial_face.jpg", "obama_partial_face2.jpg"]) {
      it(`${file}: the face runs off the picture's edge -> face-cut-off`, async () => {
        const e = await refusal(pipe.analyze(await readFace(`hard/${file}`)));
        expect(e.reason).toBe("face-cut-off");
        expect(e.details.outside).toBeGreaterThan(DEFAULT_QUALITY_POLICY.maxOutside);
        expect(e.message).toMatch(/outside the picture/);
      });
    }

    it("obama_small.jpg is a small picture, not a small face: accepted, and it is Obama", async () => {
      // 320x240 with 48 px between the eyes: more than 95% of LFW's faces (median 42 px), so a
      // face-too-small refusal here would refuse most ordinary photos.
      const a = await pipe.analyze(await readFace("hard/obama_small.jpg"));
      expect(a.quality.interOcularPx).toBeGreaterThan(DEFAULT_QUALITY_POLICY.minInterOcularPx * 2);
      for (const rel of ["obama/obama_1.jpg", "obama/obama_2.jpg"])
        expect(similarity(a.embedding, analysed.get(rel)!.embedding)).toBeGreaterThan(pipe.threshold);
    });

    it("a genuinely tiny face (eyes ~10 px apart in a 640x480 frame) -> face-too-small", async () => {
      const small = await readFace("hard/obama_small.jpg");
      const frame = solid(640, 480, [120, 110, 100]);
      paste(frame, resize(small, 64, 48), 288, 216);
      const e = await refusal(pipe.analyze(frame));
      expect(e.reason).toBe("face-too-small");
      expect(e.details.interOcularPx).toBeLessThan(DEFAULT_QUALITY_POLICY.minInterOcularPx);
    });
  });

  describe("multi/ (policy: most prominent face = area x centrality; refuse when the runner-up reaches half of it)", () => {
    for (const file of ["two_people.jpg", "obama_and_biden.jpg"]) {
      it(`${file}: two people side by side, similar size -> multiple-faces`, async () => {
        const e = await refusal(pipe.analyze(await readFace(`multi/${file}`)));
        expect(e.reason).toBe("multiple-faces");
        expect(e.details.faces).toBeGreaterThanOrEqual(2);
        expect(e.details.runnerUpRatio).toBeGreaterThanOrEqual(0.5);
      });
    }

    it("kit_with_rose.jpg: Kit is the more central face, taken; Rose is reported", async () => {
      const a = await pipe.analyze(await readFace("multi/kit_with_rose.jpg"));
      expect(a.otherFaces.length).toBeGreaterThanOrEqual(1);
      const sim = (prefix: string) => PHOTOS.filter((p) => p.id === prefix).map((p) => similarity(a.embedding, analysed.get(p.rel)!.embedding));
      for (const s of sim("kit_harington")) expect(s).toBeGreaterThan(pipe.threshold);
      for (const s of sim("rose_leslie")) expect(s).toBeLessThan(pipe.threshold);
    });

    it("a small second face is reported, not refused, and the subject is the large one", async () => {
      const obama = resize(await readFace("obama/obama_1.jpg"), 455, 569);
      const biden = resize(await readFace("biden/biden_2.jpg"), 200, 200);
      const frame = solid(900, 700, [90, 90, 90]);
      paste(frame, obama, 200, 60);
      paste(frame, biden, 690, 470);
      const a = await pipe.analyze(frame);
      expect(a.otherFaces).toHaveLength(1);
      expect(similarity(a.embedding, analysed.get("obama/obama_2.jpg")!.embedding)).toBeGreaterThan(pipe.threshold);
      expect(similarity(a.embedding, analysed.get("biden/biden_1.jpg")!.embedding)).toBeLessThan(pipe.threshold);
    });
  });

  describe("quality gates on degraded copies of a good photo", () => {
    let base: RgbaImage;
    beforeAll(async () => {
      // obama_1 at LFW-like scale (about 40 px between the eyes), where the gates were calibrated.
      const full = await readFace("obama/obama_1.jpg");
      base = resize(full, 340, 425);
    });

    it("the undegraded copy passes", async () => {
      await expect(pipe.analyze(base)).resolves.toBeDefined();
    });

    it("a blank picture -> no-face", async () => {
      const e = await refusal(pipe.analyze(solid(640, 480, [128, 128, 128])));
      expect(e.reason).toBe("no-face");
    });

    it("a blur the model still matches (sharpness between the limit and the old limit 4) is embedded, not refused", async () => {
      // docs/ACCURACY.md "Quality gates": the limit moved from 4 to 2 because DevTrain's blurred
      // genuine probes between 2 and 4 matched 50-64% of the time at the operating threshold. Not
      // always: this photo at σ 4 also reads between 2 and 4 and no longer matches (cosine 0.36).
      const sharp = await pipe.analyze(base);
      const blurred = await pipe.analyze(gaussianBlur(base, 3.5));
      expect(blurred.quality.sharpness).toBeGreaterThanOrEqual(DEFAULT_QUALITY_POLICY.minSharpness);
      expect(blurred.quality.sharpness).toBeLessThan(4);
      expect(similarity(blurred.embedding, sharp.embedding)).toBeGreaterThan(pipe.threshold);
    });

    it("out of focus -> too-blurry", async () => {
      const e = await refusal(pipe.analyze(gaussianBlur(base, 6)));
      expect(e.reason).toBe("too-blurry");
      expect(e.details.sharpness).toBeLessThan(DEFAULT_QUALITY_POLICY.minSharpness);
    });

    it("under-exposed -> too-dark", async () => {
      const e = await refusal(pipe.analyze(mapPixels(base, (v) => v * 0.15)));
      expect(e.reason).toBe("too-dark");
    });

    it("over-exposed -> too-bright", async () => {
      const e = await refusal(pipe.analyze(mapPixels(base, (v) => v + 130)));
      expect(e.reason).toBe("too-bright");
    });

    it("enforceQuality: false still embeds a refused face and reports why it would be refused", async () => {
      const a = await pipe.analyze(await readFace("hard/obama_partial_face.jpg"), { enforceQuality: false });
      expect(a.quality.outside).toBeGreaterThan(DEFAULT_QUALITY_POLICY.maxOutside);
      expect(a.embedding).toHaveLength(512);
    });
  });

  describe("check() (what the live preview runs: FaceClient.inspect())", () => {
    it("finds the same face, landmarks and quality as analyze() on every identity photo, without an embedding or its time", async () => {
      for (const p of PHOTOS) {
        const c = await pipe.check(await readFace(p.rel));
        const a = analysed.get(p.rel)!;
        expect(c.face, p.rel).toEqual(a.face);
        expect(c.landmarks, p.rel).toEqual(a.landmarks);
        expect(c.quality, p.rel).toEqual(a.quality);
        expect(c.detectionPass, p.rel).toBe(a.detectionPass);
        expect("embedding" in c, p.rel).toBe(false);
        expect(Object.keys(c.timings).sort()).toEqual(["align", "denoise", "detect", "landmarks", "quality", "total"]);
      }
    });

    it("refuses what analyze() refuses, with the same reason", async () => {
      const base = resize(await readFace("obama/obama_1.jpg"), 340, 425);
      const cases: [string, RgbaImage][] = [
        ["blank", solid(640, 480, [128, 128, 128])],
        ["out of focus", gaussianBlur(base, 6)],
        ["under-exposed", mapPixels(base, (v) => v * 0.15)],
        ["face off the edge", await readFace("hard/obama_partial_face.jpg")],
      ];
      for (const [what, img] of cases) {
        const viaAnalyze = await refusal(pipe.analyze(img));
        const viaCheck = await refusal(pipe.check(img));
        expect(viaCheck.reason, what).toBe(viaAnalyze.reason);
      }
    });
  });

  describe("presentation-attack detection", () => {
    it("reports the manifest's decision and score, each model's probability and its time, only when asked", async () => {
      const a = await pipe.analyze(await readFace("obama/obama_2.jpg"), { pad: "report" });
      const policy = pipe.padPolicy!;
      expect(a.pad!.threshold).toBe(policy.threshold);
      expect(a.pad!.decision).toBe(a.pad!.score >= policy.threshold ? "bona_fide" : "attack");
      expect(Object.keys(a.pad!.models)).toEqual([...policy.models]);
      for (const p of Object.values(a.pad!.models)) expect(p).toBeGreaterThanOrEqual(0);
      expect(a.pad!.frames).toBe(1);
      expect(a.timings.pad).toBeGreaterThan(0);
      // PAD does not change the embedding, and is off by default.
      expect([...a.embedding]).toEqual([...analysed.get("obama/obama_2.jpg")!.embedding]);
      expect(analysed.get("obama/obama_2.jpg")!.pad).toBeNull();
      expect(analysed.get("obama/obama_2.jpg")!.timings.pad).toBeUndefined();
    });

    it("refuses with PresentationAttackError (reason presentation-attack) exactly when the decision is attack", async () => {
      for (const rel of ["obama/obama_1.jpg", "obama/obama_2.jpg", "biden/biden_1.jpg"]) {
        const image = await readFace(rel);
        const reported = await pipe.analyze(image, { pad: "report" });
        const refused = await pipe.analyze(image, { pad: "refuse" }).then(
          () => null,
          (e: unknown) => e,
        );
        if (reported.pad!.decision === "attack") {
          expect(refused, rel).toBeInstanceOf(PresentationAttackError);
          expect((refused as PresentationAttackError).reason).toBe("presentation-attack");
          expect((refused as PresentationAttackError).pad.score).toBe(reported.pad!.score);
        } else {
          expect(refused, rel).toBeNull();
        }
      }
    });
  });

  describe("analyzeBurst (temporal fusion)", () => {
    it("fuses a burst of frames, weighted by quality, into one normalised embedding of the same person", async () => {
      const photo = await readFace("obama/obama_1.jpg");
      // Five "frames": the photo at slightly different scales and crops, as a moving camera gives.
      const frames = [1, 0.9, 0.8, 0.85, 0.95].map((s, i) => ({
        image: resize(photo, Math.round(photo.width * s * 0.5), Math.round(photo.height * s * 0.5)),
        timestamp: i * 120,
      }));
      const b = await pipe.analyzeBurst(frames);
      expect(b.frames).toHaveLength(5);
      expect(Math.hypot(...b.embedding)).toBeCloseTo(1, 5);
      for (const f of b.frames) expect(similarity(b.embedding, f.embedding)).toBeGreaterThan(0.9);
      expect(similarity(b.embedding, analysed.get("obama/obama_2.jpg")!.embedding)).toBeGreaterThan(pipe.threshold);
      expect(b.timings.embed).toBeGreaterThan(0);
      expect(b.rejected).toEqual({});
    });

    it("decides PAD over the burst's best frames, each with its own per-frame evidence", async () => {
      const photo = await readFace("obama/obama_1.jpg");
      const frames = [1, 0.9, 0.8, 0.85, 0.95].map((s) => resize(photo, Math.round(photo.width * s * 0.5), Math.round(photo.height * s * 0.5)));
      const off = await pipe.analyzeBurst(frames);
      expect(off.pad).toBeNull();
      const b = await pipe.analyzeBurst(frames, { pad: "report" });
      const policy = pipe.padPolicy!;
      const withPad = b.frames.filter((f) => f.pad);
      expect(withPad).toHaveLength(Math.min(policy.burstFrames, b.frames.length));
      // The frames PAD ran on are the best by quality.
      const minPadQuality = Math.min(...withPad.map((f) => f.quality.score));
      for (const f of b.frames.filter((f) => !f.pad)) expect(f.quality.score).toBeLessThanOrEqual(minPadQuality);
      expect(b.pad).toEqual(
        padDecision(
          withPad.map((f) => f.pad!.models),
          policy,
        ),
      );
      expect(b.pad!.frames).toBe(withPad.length);
      expect(b.timings.pad).toBeGreaterThan(0);
      expect([...b.embedding]).toEqual([...off.embedding]);
    });

    it("skips refused frames and drops a frame showing someone else", async () => {
      const obama = resize(await readFace("obama/obama_1.jpg"), 455, 569);
      const biden = resize(await readFace("biden/biden_2.jpg"), 500, 500);
      const blank = solid(455, 569, [128, 128, 128]);
      const b = await pipe.analyzeBurst([obama, blank, obama, biden, obama, obama], { maxFrames: 5 });
      expect(b.rejected).toEqual({ "no-face": 1, inconsistent: 1 });
      expect(b.frames).toHaveLength(4);
      expect(similarity(b.embedding, analysed.get("obama/obama_2.jpg")!.embedding)).toBeGreaterThan(pipe.threshold);
    });

    it("refuses with the most frequent reason when too few frames are usable", async () => {
      const blank = solid(320, 240, [128, 128, 128]);
      const e = await refusal(pipe.analyzeBurst([blank, blank, blank]));
      expect(e.reason).toBe("no-face");
    });
  });
});
