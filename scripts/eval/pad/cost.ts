/**
 * `npm run bench:pad`: what passive PAD adds to a verify's on-device time,
 * measured in one process on the SDK pipeline (onnxruntime-web WASM, one
 * thread) as the ratio against the same pipeline without PAD, on the PAD
 * development photos (camera frames of 320x240 and 720x480):
 *
 * - still image: `analyze(image)` against `analyze(image, { pad: "report" })`;
 * - burst (what a browser verify from a camera runs): `analyzeBurst` of 5
 *   frames (the photo at 5 slightly different scales) without and with PAD.
 *
 * Runs alternate (off, on, off, on...) so load from other processes on the
 * shared machine falls on both; medians are reported. Numbers, not a test:
 * tests never assert timings.
 *
 *   npm run bench:pad [-- --data <index.csv> --images N]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { decodeImage } from "../../../client/src/image/decode-node.js";
import { resize } from "../../../client/src/image/resample.js";
import type { RgbaImage } from "../../../client/src/image/types.js";
import { loadNodePipeline } from "../../../client/src/pipeline/load/load-node.js";
import { intOption, runMain } from "../cli.js";
import { quantile } from "../metrics/metrics.js";
import { DEFAULT_PAD_DATA, loadPresentations, select } from "./dataset.js";
import { parseCommandLine } from "../../lib/command-line.js";

const median = (xs: number[]) => quantile(Float64Array.from(xs).sort(), 0.5);

runMain(async () => {
  const v = parseCommandLine({
    command: "npm run bench:pad",
    summary: "What passive PAD adds to a verify's on-device time: the SDK pipeline with and without PAD, alternating in one process.",
    options: { data: { type: "string", default: DEFAULT_PAD_DATA }, images: { type: "string", default: "40" }, models: { type: "string", default: "models" } },
    help: { data: "the PAD development data (its index)", images: "photos measured", models: "the models directory" },
  });
  const n = intOption(v.images, "images")!;
  const items = select(await loadPresentations(v.data), { sources: ["replayattack_sejong-sas", "msu-mfsd_sunny3"], perType: Math.ceil(n / 10) }).slice(0, n);
  const images: RgbaImage[] = [];
  for (const p of items) images.push(await decodeImage(new Uint8Array(await readFile(p.file))));
  const pipe = await loadNodePipeline({ modelsDir: v.models, threads: 1, provider: "wasm", pad: true });
  const still = { off: [] as number[], on: [] as number[], pad: [] as number[] };
  const burst = { off: [] as number[], on: [] as number[], pad: [] as number[] };
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f().catch((e: Error) => {
      if (e.name !== "FaceQualityError" && e.name !== "PresentationAttackError") throw e;
    });
    return performance.now() - t;
  };
  // Warm-up: first runs of each model compile kernels.
  for (const im of images.slice(0, 3)) await pipe.analyze(im, { pad: "report" }).catch(() => undefined);
  for (const [k, im] of images.entries()) {
    const frames = [1, 0.95, 0.9, 0.97, 0.92].map((s) => resize(im, Math.round(im.width * s), Math.round(im.height * s)));
    const order = k % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
    for (const mode of order) {
      still[mode].push(await time(() => pipe.analyze(im, { pad: mode === "on" ? "report" : "off" })));
      burst[mode].push(await time(() => pipe.analyzeBurst(frames, { pad: mode === "on" ? "report" : "off", minFrames: 1 })));
    }
  }
  await pipe.dispose();
  const row = (name: string, s: typeof still) =>
    `${name.padEnd(22)} without PAD ${median(s.off).toFixed(1).padStart(6)} ms  with PAD ${median(s.on).toFixed(1).padStart(6)} ms  ratio ${(median(s.on) / median(s.off)).toFixed(3)} (+${(100 * (median(s.on) / median(s.off) - 1)).toFixed(1)}%)`;
  console.log(
    `${images.length} images (${path.basename(v.data)}), onnxruntime-web WASM 1 thread, PAD models ${pipe.padPolicy!.models.join(", ")}, burstFrames ${pipe.padPolicy!.burstFrames}; medians`,
  );
  console.log(row("still image (analyze)", still));
  console.log(row("burst of 5 frames", burst));
});
