/**
 * Builds the demo's static files into public/ (git-ignored), served by
 * wrangler's static assets at the same origin as the API:
 *
 *   public/demo/   index.html, styles.css, app.js (the demo + the client SDK, bundled)
 *   public/ort/    ONNX Runtime Web's .wasm/.mjs files (same origin, as COEP requires), the WASM
 *                  runtime's brotli copy and the decoder the browser reads it with
 *                  (client/src/runtime/compressed-runtime.ts)
 *   public/models/<id>/ the ONNX models and manifest.json, <id> = the first 16 hex of the
 *                  manifest's sha256 (client/src/runtime/models-id.ts): immutable, and
 *                  readable from any origin (public weights; the API keeps its CORS allow-list)
 *   public/sdk/    the script-tag build (client/src/cdn.ts): <script type="module" src=".../sdk/facegate.js">
 *   public/_headers  cross-origin isolation for the demo, so ORT may use WASM threads
 *
 * Run by `npm start`, `npm test` and `wrangler deploy` (wrangler.toml [build]);
 * `npm run build:demo` by hand.
 */
import { build } from "esbuild";
import { MODELS_ID } from "../client/src/runtime/models-id.js";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { BROTLI_DECODER, COMPRESSED_RUNTIME } from "../client/src/runtime/compressed-runtime.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = join(root, "public");
const ortDist = join(root, "node_modules/onnxruntime-web/dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "demo"), { recursive: true });
mkdirSync(join(out, "ort"), { recursive: true });
const manifestSha = createHash("sha256")
  .update(readFileSync(join(root, "models/manifest.json")))
  .digest("hex");
if (!manifestSha.startsWith(MODELS_ID)) {
  throw new Error(`models/manifest.json has sha256 ${manifestSha}; client/src/runtime/models-id.ts says ${MODELS_ID}: update MODELS_ID`);
}
const modelsOut = join(out, "models", MODELS_ID);
mkdirSync(modelsOut, { recursive: true });

cpSync(join(root, "demo/static"), join(out, "demo"), { recursive: true });

/** A browser bundle of `entry` into `dir` as `name`.js. */
function browserBundle(entry: string, dir: string, name: string, extra: { sourcemap?: boolean } = {}) {
  return build({
    entryPoints: [join(root, entry)],
    outdir: join(out, dir),
    entryNames: name,
    chunkNames: "chunks/[name]-[hash]",
    // The WASM and WebGPU builds of ORT become separate chunks: a page loads only the one it uses.
    splitting: true,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "warning",
    // ORT's own runtime files are fetched from /ort/ at run time, not bundled.
    external: ["*.wasm"],
    ...extra,
  });
}

await browserBundle("demo/app/main.ts", "demo", "app", { sourcemap: true });

// The script-tag build (client/src/cdn.ts): the SDK, the elements and ONNX Runtime's JavaScript in
// one module (and the chunks it imports on demand), for pages with no bundler. It reads ORT's
// .wasm from /ort/ and the models from /models/<id>/ on this worker.
mkdirSync(join(out, "sdk"), { recursive: true });
await browserBundle("client/src/cdn.ts", "sdk", "facegate");

// The WASM runtimes the browser entry can load: the plain SIMD build for the
// WASM provider and the asyncify build that the WebGPU build needs. The
// latter (26.8 MB) exceeds the 25 MiB limit of a Workers static asset, so it
// is split into parts that client/src/runtime/ort-browser.ts joins and checks.
const PART_BYTES = 16 * 1024 * 1024;
for (const f of readdirSync(ortDist)) {
  if (!/^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(f)) continue;
  if (f.endsWith(".asyncify.wasm")) {
    const bytes = readFileSync(join(ortDist, f));
    const parts: string[] = [];
    for (let at = 0; at < bytes.length; at += PART_BYTES) {
      const name = `${f}.part${parts.length}`;
      writeFileSync(join(out, "ort", name), bytes.subarray(at, at + PART_BYTES));
      parts.push(name);
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(join(out, "ort", `${f}.parts.json`), `${JSON.stringify({ parts, bytes: bytes.length, sha256 })}\n`);
  } else {
    copyFileSync(join(ortDist, f), join(out, "ort", f));
  }
}

// The WASM runtime's brotli copy, at the highest quality: 14.2 MB -> 2.3 MB, where a host's on-the-fly
// gzip gives 3.7 MB. Quality 11 takes about a minute on this machine's two cores, so it is made once
// per ORT build and kept in .cache/ (git-ignored), keyed by the runtime's sha256.
const plainRuntime = readFileSync(join(ortDist, "ort-wasm-simd-threaded.wasm"));
const runtimeSha = createHash("sha256").update(plainRuntime).digest("hex");
const cachedBrotli = join(root, ".cache/ort-runtime", `${runtimeSha.slice(0, 16)}.wasm.brotli`);
if (!existsSync(cachedBrotli)) {
  mkdirSync(join(root, ".cache/ort-runtime"), { recursive: true });
  const compressed = brotliCompressSync(plainRuntime, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: 11,
      [zlib.BROTLI_PARAM_LGWIN]: 24,
      [zlib.BROTLI_PARAM_SIZE_HINT]: plainRuntime.length,
    },
  });
  writeFileSync(`${cachedBrotli}.tmp`, compressed);
  cpSync(`${cachedBrotli}.tmp`, cachedBrotli);
  rmSync(`${cachedBrotli}.tmp`);
}
copyFileSync(cachedBrotli, join(out, "ort", COMPRESSED_RUNTIME));
copyFileSync(join(root, "node_modules/brotli-dec-wasm/pkg", BROTLI_DECODER), join(out, "ort", BROTLI_DECODER));

for (const f of readdirSync(join(root, "models"))) {
  if (f.endsWith(".onnx") || f === "manifest.json") copyFileSync(join(root, "models", f), join(modelsOut, f));
}

// Cross-origin isolation (COOP + COEP) unlocks SharedArrayBuffer, hence WASM
// threads; without it ORT silently runs one thread (docs/ARCHITECTURE.md).
// The demo page may not be framed (clickjacking a consent button) and runs
// only its own scripts: ORT needs 'wasm-unsafe-eval' to compile WebAssembly
// and blob: workers for its threads.
const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
// The models are public weights that any app's page loads with no configuration
// (docs/API.md "Models"): any origin may read them (CORS and CORP), and their path
// names their content, so browsers keep them for a year without revalidating.
// ONNX Runtime's files and the script-tag build are public code, readable from any
// origin too (a page that loads /sdk/facegate.js fetches ORT's .wasm from /ort/). ORT's
// threads are workers started from /ort/: a worker's own response must carry COEP, or it
// is not cross-origin isolated and ORT's SharedArrayBuffer hand-off never completes.
const PUBLIC_CODE = ["  Cross-Origin-Resource-Policy: cross-origin", "  Access-Control-Allow-Origin: *"];
const WORKER_ISOLATION = ["  Cross-Origin-Opener-Policy: same-origin", "  Cross-Origin-Embedder-Policy: require-corp"];
const ISOLATED = ["  Cross-Origin-Opener-Policy: same-origin", "  Cross-Origin-Embedder-Policy: require-corp", "  Cross-Origin-Resource-Policy: same-origin"];
writeFileSync(
  join(out, "_headers"),
  [
    "/*",
    "  X-Content-Type-Options: nosniff",
    "  Referrer-Policy: no-referrer",
    "/demo/*",
    ...ISOLATED,
    "  X-Frame-Options: DENY",
    `  Content-Security-Policy: ${DEMO_CSP}`,
    "/ort/*",
    ...WORKER_ISOLATION,
    ...PUBLIC_CODE,
    "  Cache-Control: public, max-age=86400",
    "/sdk/*",
    ...PUBLIC_CODE,
    "  Cache-Control: public, max-age=3600",
    "/models/*",
    "  Cross-Origin-Resource-Policy: cross-origin",
    "  Access-Control-Allow-Origin: *",
    "  Cache-Control: public, max-age=31536000, immutable",
    "",
  ].join("\n"),
);
writeFileSync(join(out, "_redirects"), "/ /demo/ 302\n/demo /demo/ 301\n");
console.log("built public/ (demo, ORT runtime, models)");
