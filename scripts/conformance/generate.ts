/**
 * Writes models/conformance/vectors.json: for each photo of photos.ts, what
 * the SDK pipeline computes at every stage (trace.ts), the tolerances a port
 * is judged by, and what they were checked against: the same photos run
 * again on onnxruntime-node's native kernels must pass them with room to
 * spare, or nothing is written.
 *
 *   npm run conformance:generate [-- --data ../shared/data --out models/conformance/vectors.json]
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeImage } from "../../client/src/image/decode-node.js";
import { readManifest } from "../../client/src/runtime/model-dir-node.js";
import { pipelineSourceVersion } from "../eval/embed/embedder.js";
import { comparePhoto, largestDifferences, type Differences } from "./compare.js";
import { FORMAT, VectorsSchema, type ConformanceResult, type Tolerances, type Vectors } from "./format.js";
import { formatJson } from "./json.js";
import { DEVELOPMENT_PHOTOS, lfwSelection, LFW_PAIRS, LFW_STRIDE, RESTORATION_PHOTOS } from "./photos.js";
import { MODELS_DIR, ReferencePipeline, REPO_ROOT, sha256Hex } from "./trace.js";
import { parseCommandLine } from "../lib/command-line.js";

/**
 * A native port runs ONNX Runtime's CPU provider and its own arithmetic for
 * resampling and warping, so it cannot be bit-exact; it must be close enough
 * that nothing downstream changes. The embedding model computes its 1x1
 * convolutions in int8 (docs/BENCHMARKS.md "int8 compute"), and a float
 * difference of one ulp before a QuantizeLinear can move a value by one whole
 * level, so two correct runtimes differ by far more than in float32: on all
 * 1,549 LFW DevTest images onnxruntime-node's embedding was at cosine 0.9934
 * to 0.99999 of WASM's (median 0.9981), which moved pair similarities by 0.003
 * (median) and at most 0.021, and changed no decision at the operating
 * threshold on DevTest's 1,000 pairs. The bound, cosine >= 0.985, leaves that
 * room twice over. The price: a small drift no longer shows in the embedding
 * alone (the package's five-point reduction, a real one, lands at 0.993-0.996);
 * the stages before it catch that one (points, crop, quality). Those bounds are
 * there to say where a port went wrong, each several times what
 * onnxruntime-node's kernels already differ by (`measured`).
 */
const TOLERANCES: Omit<Tolerances, "measured"> = {
  why: "cosine >= 0.985: the embedding model computes in int8, where two correct runtimes differ by up to 1 - 0.9934 (onnxruntime-node against WASM on LFW DevTest: similarities moved by at most 0.021, no decision changed at the operating threshold); a drift as small as the package's five-point reduction (0.993-0.996) passes this stage and is caught by the points, crop and quality stages. The per-stage bounds locate a drift and are at least twice, mostly ten times or more, the largest difference between the SDK (onnxruntime-web WASM) and the same code on onnxruntime-node's native CPU kernels over these photos (`measured`, redone by every generation). Boxes, points and inter-ocular distance in source pixels; crop statistics and thumbnail in 8-bit levels; pose in degrees; sharpness relative. Decoding is exact: equal RGBA sha256 or a failed decode stage.",
  boxPx: 0.1,
  score: 0.001,
  pointPx: 0.1,
  alignedMean: 0.05,
  alignedStd: 0.05,
  thumbnail: 1,
  interOcularPx: 0.05,
  sharpnessRelative: 0.02,
  brightness: 0.05,
  poseDeg: 0.05,
  outside: 0.001,
  qualityScore: 0.005,
  embeddingCosine: 0.985,
};

/** The native runtime must stay within this fraction of every bound, or the bound is too tight to judge a port by. */
const HEADROOM = 0.5;

const values = parseCommandLine({
  command: "npm run conformance:generate",
  summary: "Writes models/conformance/vectors.json: what the SDK pipeline computes at every stage, and the tolerances a port is judged by.",
  options: {
    data: { type: "string", default: path.join(REPO_ROOT, "../shared/data") },
    out: { type: "string", default: path.join(REPO_ROOT, "models/conformance/vectors.json") },
  },
  help: { data: "where the photos are", out: "the vectors file" },
});
const dataDir = path.resolve(values.data);

async function packageVersion(name: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

async function traceAll(ref: ReferencePipeline, photos: readonly { image: string }[]): Promise<Map<string, ConformanceResult>> {
  const out = new Map<string, ConformanceResult>();
  for (const p of photos) {
    out.set(p.image, await ref.trace(decodeImage(new Uint8Array(await readFile(path.join(dataDir, p.image))))));
  }
  return out;
}

const started = performance.now();
const photos = [...DEVELOPMENT_PHOTOS, ...RESTORATION_PHOTOS, ...(await lfwSelection(dataDir))];
const manifestPath = path.join(MODELS_DIR, "manifest.json");
const manifest = await readManifest(MODELS_DIR);

const reference = await ReferencePipeline.load({ ort: "web" });
const expected = await traceAll(reference, photos);
const facePipelineVersion = reference.pipeline.pipelineVersion;
const runtime = reference.runtime;
const used = Object.entries(manifest.models).filter(([, m]) => m.role !== "liveness");
await reference.dispose();
process.stderr.write(`reference: ${photos.length} photos in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

const native = await ReferencePipeline.load({ ort: "node" });
const second = await traceAll(native, photos);
await native.dispose();
const verdicts = photos.map((p) =>
  comparePhoto(p.image, expected.get(p.image)!, second.get(p.image), { ...TOLERANCES, measured: { against: "", largest: {} } }),
);
const largest: Differences = largestDifferences(verdicts);
const failures = verdicts
  .filter((v) => !v.ok)
  .map(
    (v) =>
      `${v.image}: ${v.stages
        .filter((s) => s.status === "fail")
        .map((s) => `${s.stage} ${s.note}`)
        .join("; ")}`,
  );
const bounds: Record<string, number> = { ...TOLERANCES, embeddingDistance: 1 - TOLERANCES.embeddingCosine } as unknown as Record<string, number>;
const tight = Object.entries(largest).filter(([k, v]) => v > HEADROOM * bounds[k]!);
if (failures.length || tight.length) {
  throw new Error(
    `${native.runtime} does not pass the tolerances with room to spare; nothing written.\n` +
      [...failures, ...tight.map(([k, v]) => `${k}: ${v} is more than ${HEADROOM} of the bound ${bounds[k]}`)].join("\n"),
  );
}
const round = (v: number) => Number(v.toPrecision(3));

const vectors: Vectors = {
  format: FORMAT,
  about:
    'Conformance vectors for ports of the face pipeline (docs/MOBILE.md, "Conformance"). For each photo, what the SDK pipeline computes at every stage; a port prints the same document (scripts/conformance/format.ts) and `npx tsx scripts/conformance/run.ts --impl "<command>"` judges it stage by stage with the tolerances below. Written by `npm run conformance:generate`; regenerate whenever the pipeline\'s output changes, and recalibrate (docs/ACCURACY.md) when it changes beyond these tolerances.',
  generated: {
    command: "npm run conformance:generate",
    date: new Date().toISOString(),
    pipelineSourceVersion: await pipelineSourceVersion(manifestPath),
    facePipelineVersion,
    runtime,
    decoder: `client/src/image/decode-node.ts (jpeg-js ${await packageVersion("jpeg-js")}, pngjs ${await packageVersion("pngjs")}; EXIF orientation, alpha over white, longer side capped at 2048 px)`,
    models: Object.fromEntries(used.map(([id, m]) => [id, { file: m.file, sha256: m.sha256 }])),
  },
  data: "Images are paths relative to ../shared/data from the repository root (the photos are not in the repository). `fileSha256` is of the file's bytes.",
  selection: `The development photos and the two restoration cases listed in scripts/conformance/photos.ts (each with why it is here), then LFW DevTest: the first image of every ${LFW_STRIDE}th pair of ${LFW_PAIRS}.`,
  rounding:
    "Boxes, points and pixel distances to 4 decimals, scores and the outside fraction to 6, crop means and deviations to 3, thumbnail block means to 1, embedding values to 6 (a cosine error under 1e-9).",
  tolerances: { ...TOLERANCES, measured: { against: native.runtime, largest: Object.fromEntries(Object.entries(largest).map(([k, v]) => [k, round(v)])) } },
  photos: await Promise.all(
    photos.map(async (p) => ({
      image: p.image,
      fileSha256: sha256Hex(new Uint8Array(await readFile(path.join(dataDir, p.image)))),
      why: p.why,
      expected: expected.get(p.image)!,
    })),
  ),
};
VectorsSchema.parse(vectors);
// Keep the file (and its date) when nothing but the date would change, so a regeneration leaves no diff.
const previous = await readFile(values.out, "utf8").catch(() => null);
const undated = (v: Vectors) => formatJson({ ...v, generated: { ...v.generated, date: "" } });
const parsedPrevious = previous === null ? null : VectorsSchema.safeParse(JSON.parse(previous));
const unchanged = parsedPrevious?.success === true && undated(parsedPrevious.data) === undated(vectors);
if (!unchanged) {
  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, `${formatJson(vectors)}\n`);
}
const refused = vectors.photos.filter((p) => p.expected.refusal).length;
process.stderr.write(
  `${unchanged ? "unchanged" : "wrote"} ${path.relative(process.cwd(), values.out)}: ${photos.length} photos (${refused} refused), checked against ${native.runtime}, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
