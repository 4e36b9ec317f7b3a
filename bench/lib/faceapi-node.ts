/**
 * face-api.js (@vladmandic/face-api) on tfjs's WASM backend in Node, for the
 * client benchmark only: SSD MobileNet v1 detection (its default), the
 * 68-point landmark net and the 128-d ResNet descriptor, models read from
 * node_modules/@vladmandic/face-api/model, fed the same decoded RGBA pixels
 * as the facegate pipeline (as an int32 [h, w, 3] tensor).
 *
 * The package's `dist/face-api.node-wasm.js` build requires the
 * `@tensorflow/tfjs` umbrella package; this repository installs only
 * `@tensorflow/tfjs-core` and `@tensorflow/tfjs-backend-wasm` (4.22.0), so the
 * umbrella is resolved to tfjs-core and the chained tensor methods the
 * umbrella would register (`t.as3D()`, `t.toFloat()`...) are registered from
 * tfjs-core's own `dist/public/chained_ops/*.js`, exactly as the umbrella does.
 */
import { readdirSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RgbaImage } from "../../client/src/image/types.js";
import { packageVersion } from "./sample.js";

const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: face-api.js and its tfjs backend are loaded with createRequire, so untyped.
type Any = any;

let hooked = false;
function aliasTfjsUmbrella(): void {
  if (hooked) return;
  hooked = true;
  const M = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
  const orig = M._resolveFilename;
  M._resolveFilename = function (this: unknown, req: string, ...rest: unknown[]) {
    return orig.call(this, req === "@tensorflow/tfjs" ? "@tensorflow/tfjs-core" : req, ...rest);
  };
}

/**
 * Register tfjs-core's chained tensor methods on `tf.Tensor` (what
 * `@tensorflow/tfjs` does by importing register_all_chained_ops): each file
 * there is `getGlobalTensorClass().prototype.<name> = function (...) { return op(this, ...) }`.
 */
export function registerChainedOps(tf: Any, coreDir: string): { registered: number; skipped: string[] } {
  const dir = join(coreDir, "dist/public/chained_ops");
  let registered = 0;
  const skipped: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".js") || f.includes("register_all") || f.endsWith("_test.js")) continue;
    const src = readFileSync(join(dir, f), "utf8");
    const ids: string[] = [];
    for (const m of src.matchAll(/^import \{([^}]*)\} from [^;]*;$/gm))
      ids.push(
        ...m[1]!
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
    const deps = ids.filter((id) => id !== "getGlobalTensorClass");
    const lookup = (id: string): unknown => tf[id] ?? tf.image?.[id] ?? tf.util?.[id];
    if (deps.some((id) => typeof lookup(id) !== "function")) {
      skipped.push(f);
      continue;
    }
    const body = src.replace(/^import [^;]*;$/gm, "").replace(/^\/\/# sourceMappingURL=.*$/m, "");
    new Function("getGlobalTensorClass", ...deps, body)(() => tf.Tensor, ...deps.map(lookup));
    registered++;
  }
  return { registered, skipped };
}

export interface FaceApiRuntime {
  faceapi: Any;
  tf: Any;
  /** Threads asked for with setThreadsCount. */
  requestedThreads: number;
  /** Threads the backend reports after initialisation (getThreadsCount). */
  actualThreads: number;
  /** Whether tfjs thinks this environment supports WASM threads / SIMD. */
  multithreadSupported: boolean;
  simdSupported: boolean;
  versions: Record<string, string>;
  notes: string[];
}

export async function loadFaceApi(threads: number): Promise<FaceApiRuntime> {
  aliasTfjsUmbrella();
  const faceapi: Any = require("@vladmandic/face-api/dist/face-api.node-wasm.js");
  const wasm: Any = require("@tensorflow/tfjs-backend-wasm");
  const tf: Any = faceapi.tf;
  const coreDir = dirname(require.resolve("@tensorflow/tfjs-core/package.json"));
  const chained = registerChainedOps(tf, coreDir);
  const notes: string[] = [];
  if (chained.skipped.length) notes.push(`chained ops not registered: ${chained.skipped.join(", ")}`);
  // Must precede backend initialisation.
  wasm.setWasmPaths(`${join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist")}/`);
  wasm.setThreadsCount(threads);
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs wasm backend failed to initialise");
  await tf.ready();
  const multithreadSupported = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  const simdSupported = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const actualThreads = Number(wasm.getThreadsCount());
  if (actualThreads !== threads) {
    notes.push(
      `setThreadsCount(${threads}) not honoured: tfjs-backend-wasm runs ${actualThreads} thread(s); ` +
        (multithreadSupported ? "" : "it disables WASM threads in Node (WASM_HAS_MULTITHREAD_SUPPORT = false when IS_NODE)"),
    );
  }
  const modelDir = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const version = (p: string) => packageVersion(p);
  return {
    faceapi,
    tf,
    requestedThreads: threads,
    actualThreads,
    multithreadSupported,
    simdSupported,
    versions: {
      "@vladmandic/face-api": version("@vladmandic/face-api"),
      "@tensorflow/tfjs-core": version("@tensorflow/tfjs-core"),
      "@tensorflow/tfjs-backend-wasm": version("@tensorflow/tfjs-backend-wasm"),
    },
    notes,
  };
}

export interface FaceApiResult {
  ok: boolean;
  reason?: string;
  score?: number;
  descriptor?: Float32Array;
  /** ms: detect (incl. building the input tensor), landmarks, align (dlib-style box + crop), embed, total. */
  stages: { detect: number; landmarks?: number; align?: number; embed?: number; total: number };
}

/**
 * What `detectSingleFace(input).withFaceLandmarks().withFaceDescriptor()`
 * does, stage by stage (same calls, same order), so each stage can be timed:
 * SSD locateFaces at minConfidence 0.5 and the best-scoring face; landmarks
 * on its crop; the dlib-aligned box; the descriptor of that crop.
 */
export async function analyzeFaceApi(rt: FaceApiRuntime, img: RgbaImage, minConfidence = 0.5): Promise<FaceApiResult> {
  const { faceapi, tf } = rt;
  const t0 = performance.now();
  const n = img.width * img.height;
  const rgb = new Int32Array(n * 3);
  const px = img.data;
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 4, q += 3) {
    rgb[q] = px[p]!;
    rgb[q + 1] = px[p + 1]!;
    rgb[q + 2] = px[p + 2]!;
  }
  const input = tf.tensor3d(rgb, [img.height, img.width, 3], "int32");
  try {
    const dets: Any[] = await faceapi.nets.ssdMobilenetv1.locateFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence }));
    const t1 = performance.now();
    if (!dets.length) return { ok: false, reason: "no-face", stages: { detect: t1 - t0, total: t1 - t0 } };
    const det = dets.reduce((a, b) => (b.score > a.score ? b : a));

    const faces: Any[] = await faceapi.extractFaceTensors(input, [det]);
    const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(faces[0]);
    for (const f of faces) f.dispose();
    const withLandmarks = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, det), lm);
    const t2 = performance.now();

    const box = withLandmarks.landmarks.align(null, { useDlibAlignment: true });
    const crops: Any[] = await faceapi.extractFaceTensors(input, [box]);
    const t3 = performance.now();
    const descriptor: Float32Array = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crops[0]);
    for (const c of crops) c.dispose();
    const t4 = performance.now();
    return {
      ok: true,
      score: det.score,
      descriptor,
      stages: { detect: t1 - t0, landmarks: t2 - t1, align: t3 - t2, embed: t4 - t3, total: t4 - t0 },
    };
  } finally {
    input.dispose();
  }
}
