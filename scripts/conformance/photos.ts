import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * Which photos the conformance vectors cover, relative to ../shared/data
 * (never copied into the repository). Chosen for what each exercises in a
 * port, not for how the pipeline scores them.
 */
export const DEVELOPMENT_PHOTOS: readonly { image: string; why: string }[] = [
  { image: "faces/obama/obama_1.jpg", why: "a frontal portrait, EXIF (orientation 1)" },
  { image: "faces/obama/obama_3.jpg", why: "1434x2333: the decoder's 2048 px cap resamples it (area filter) before anything else" },
  { image: "faces/obama/obama_4.jpg", why: "progressive JPEG, landscape" },
  { image: "faces/biden/biden_1.jpg", why: "970x2204, capped like obama_3" },
  { image: "faces/biden/biden_2.jpg", why: "a subject with smaller faces around it" },
  { image: "faces/kit_harington/kit_harington_2.jpg", why: "noisy enough that the median filter runs (client/src/image/noise.ts)" },
  { image: "faces/kit_harington/kit_harington_3.jpg", why: "noisy, median filter, at full-resolution detection" },
  { image: "faces/rose_leslie/rose_leslie_1.jpg", why: "progressive JPEG" },
  { image: "faces/rose_leslie/rose_leslie_2.jpg", why: "portrait crop" },
  { image: "faces/alex_lacamoire/alex_lacamoire_2.jpg", why: "a camera JPEG with a long EXIF block" },
  { image: "faces/alex_lacamoire/alex_lacamoire_3.png", why: "PNG with an alpha channel (flattened over white)" },
  { image: "faces/lin_manuel_miranda/lin_manuel_miranda_1.png", why: "PNG" },
  { image: "faces/multi/kit_with_rose.jpg", why: "two faces, one clearly the subject: the other is reported, not refused" },
  { image: "faces/multi/two_people.jpg", why: "two faces of similar prominence: refused (multiple-faces)" },
  { image: "faces/hard/obama_partial_face.jpg", why: "the face runs off the picture: refused at the quality gates (face-cut-off)" },
  { image: "faces/hard/obama_small.jpg", why: "a 320x240 picture" },
];

/** LFW DevTest (View 1; never tuned on): the first image of every STRIDE-th pair of pairsDevTest.txt. */
export const LFW_PAIRS = "lfw-dev/pairsDevTest.txt";
export const LFW_STRIDE = 200;

/**
 * The restoration steps almost no clean photo needs, found by running every
 * DevTest image once through the pipeline: a port must implement them all
 * the same, so two photos that take them are in the set.
 */
export const RESTORATION_PHOTOS: readonly { image: string; why: string }[] = [
  {
    image: lfwImage("Gary_Winnick", "2"),
    why: "LFW DevTest: a soft crop (sharpness about 19, under the 30 of client/src/pipeline/quality/sharpen.ts), so the unsharp mask runs before the embedding",
  },
  {
    image: lfwImage("Luis_Ernesto_Derbez_Bautista", "3"),
    why: "LFW DevTest: enough isolated extreme pixels that the impulse filter runs (client/src/image/impulse.ts)",
  },
  {
    image: lfwImage("Mireya_Moscoso", "1"),
    why: "LFW DevTest: a crop that reads sharp but lost its fine detail in one direction, so the directional deblurring runs (client/src/pipeline/quality/deblur.ts)",
  },
];

export function lfwImage(name: string, index: string): string {
  return `lfw-dev/images/${name}/${name}_${index.padStart(4, "0")}.jpg`;
}

/** The LFW part of the selection, by the rule above. */
export async function lfwSelection(dataDir: string): Promise<{ image: string; why: string }[]> {
  const lines = (await readFile(path.join(dataDir, LFW_PAIRS), "utf8")).trim().split("\n").slice(1);
  const out: { image: string; why: string }[] = [];
  for (let i = 0; i < lines.length; i += LFW_STRIDE) {
    const f = lines[i]!.trim().split(/\s+/);
    out.push({ image: lfwImage(f[0]!, f[1]!), why: `LFW DevTest, pair ${i + 1} of ${LFW_PAIRS} (250x250, deep-funnelled)` });
  }
  return out;
}
