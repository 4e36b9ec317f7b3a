import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaceQualityError } from "../errors.js";
import type { RgbaImage } from "../image/types.js";
import { cosine } from "./embed.js";
import type { FacePipeline } from "./face-pipeline.js";
import { FACES_DIR, readFace, testPipeline } from "./testing.js";

/**
 * The coarse detection pass against the full-resolution pass alone, on the
 * real models and the development photos: same decisions, nearly the same
 * embeddings, and the full pass wherever the coarse one is not trusted.
 * (Which photos the coarse pass may decide follows from the rule in
 * coarse-to-fine.ts: large faces near the centre.)
 */

const IDENTITY_PHOTOS = readdirSync(FACES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "multi" && d.name !== "hard")
  .flatMap((d) => readdirSync(`${FACES_DIR}/${d.name}`).map((f) => `${d.name}/${f}`))
  .sort();

/** `img` centred on a mid-grey canvas `factor` times its size: the same face, smaller in the frame. */
function onCanvas(img: RgbaImage, factor: number): RgbaImage {
  const width = img.width * factor;
  const height = img.height * factor;
  const data = new Uint8ClampedArray(width * height * 4).fill(128);
  const ox = Math.floor((width - img.width) / 2);
  const oy = Math.floor((height - img.height) / 2);
  for (let y = 0; y < img.height; y++) {
    data.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((oy + y) * width + ox) * 4);
  }
  return { data, width, height };
}

async function outcome(pipe: FacePipeline, img: RgbaImage): Promise<string> {
  try {
    await pipe.analyze(img);
    return "accepted";
  } catch (e) {
    if (e instanceof FaceQualityError) return e.reason;
    throw e;
  }
}

describe("coarse-to-fine detection", () => {
  let both: FacePipeline;
  let fullOnly: FacePipeline;
  beforeAll(async () => {
    both = await testPipeline();
    fullOnly = await testPipeline({ overrides: { detector: { coarse: null } } });
  }, 120_000);
  afterAll(async () => {
    await both?.dispose();
    await fullOnly?.dispose();
  });

  it("is what the manifest configures", () => {
    expect(both.pipelineVersion).not.toBe(fullOnly.pipelineVersion);
  });

  it("decides the close-ups at coarse resolution, with the full pass's face and nearly its embedding", async () => {
    const coarse: string[] = [];
    for (const rel of IDENTITY_PHOTOS) {
      const img = await readFace(rel);
      const [a, b] = [await both.analyze(img, { enforceQuality: false }), await fullOnly.analyze(img, { enforceQuality: false })];
      expect(b.detectionPass, rel).toBe("full");
      if (a.detectionPass === "full") {
        // The full pass decided alone: exactly the pipeline without a coarse pass.
        expect(cosine(a.embedding, b.embedding), rel).toBeCloseTo(1, 6);
        continue;
      }
      coarse.push(rel);
      // The coarse box is a little less precise; the landmark passes re-centre on the face. Seen
      // here: points within 1.5-3.3% of the eye distance, embeddings at cosine 0.978-0.999 (the
      // match threshold is about 0.41, and DevTest accuracy is measured with the coarse pass on).
      const iod = Math.hypot(b.landmarks[1].x - b.landmarks[0].x, b.landmarks[1].y - b.landmarks[0].y);
      const shift = Math.max(...a.landmarks.map((p, i) => Math.hypot(p.x - b.landmarks[i]!.x, p.y - b.landmarks[i]!.y)));
      expect(shift / iod, rel).toBeLessThan(0.05);
      expect(cosine(a.embedding, b.embedding), rel).toBeGreaterThan(0.95);
    }
    // The photos whose face is large and near the centre (the capture UI's framing).
    expect(coarse.length).toBeGreaterThanOrEqual(5);
    expect(coarse).toContain("obama/obama_4.jpg");
  });

  it("runs the full pass for an off-centre face in a large photo (a smaller face nearer the centre could outrank it)", async () => {
    const a = await both.analyze(await readFace("biden/biden_1.jpg"), { enforceQuality: false });
    expect(a.detectionPass).toBe("full");
  });

  it("leaves pictures with a second prominent face to the full pass (multi/ is refused exactly as before)", async () => {
    for (const file of readdirSync(`${FACES_DIR}/multi`).sort()) {
      const img = await readFace(`multi/${file}`);
      expect(await outcome(both, img), file).toBe(await outcome(fullOnly, img));
    }
    // kit_with_rose is accepted (Rose is off to the side), but decided at full resolution: the
    // coarse pass saw her at 0.46 of Kit's prominence, above deferRatio.
    const kit = await both.analyze(await readFace("multi/kit_with_rose.jpg"));
    expect(kit.detectionPass).toBe("full");
  });

  it("runs the full pass when the face is small in the frame", async () => {
    const small = onCanvas(await readFace("obama/obama_1.jpg"), 4);
    const a = await both.analyze(small, { enforceQuality: false });
    expect(a.detectionPass).toBe("full");
    const b = await fullOnly.analyze(small, { enforceQuality: false });
    expect(cosine(a.embedding, b.embedding)).toBeCloseTo(1, 6);
  });

  it("runs the full pass when the coarse pass finds nothing, and refuses as before", async () => {
    const grey: RgbaImage = { data: new Uint8ClampedArray(320 * 240 * 4).fill(128), width: 320, height: 240 };
    expect(await outcome(both, grey)).toBe("no-face");
  });
});
