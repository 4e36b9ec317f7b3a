import { cpSync, mkdirSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/dev-server.js";
import { FACEAPI_PAGE, FACEGATE_PAGE } from "./pages.js";

/**
 * face-api.js's browser bundle, its three models and tfjs's WASM binaries,
 * copied into public/bench/ before wrangler dev starts, so the baseline is
 * served by the same static-asset server (same compression, same caching
 * rules: none) as facegate's own files. public/ is build output and
 * scripts/build-demo.ts wipes it, so nothing here outlives the next build.
 */
export function stageFaceApiAssets(): void {
  const out = join(REPO_ROOT, "public/bench");
  rmSync(out, { recursive: true, force: true });
  const pkg = join(REPO_ROOT, "node_modules/@vladmandic/face-api");
  mkdirSync(join(out, "faceapi/model"), { recursive: true });
  cpSync(join(pkg, "dist/face-api.esm.js"), join(out, "faceapi/face-api.esm.js"));
  for (const m of ["ssd_mobilenetv1_model", "face_landmark_68_model", "face_recognition_model"]) {
    for (const ext of ["-weights_manifest.json", ".bin"]) cpSync(join(pkg, "model", m + ext), join(out, "faceapi/model", m + ext));
  }
  const wasm = join(REPO_ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  mkdirSync(join(out, "tfjs-wasm"), { recursive: true });
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])
    cpSync(join(wasm, f), join(out, "tfjs-wasm", f));
}

export interface BenchServer {
  url: string;
  /** Response bytes as sent (encoded body, as the worker sent it) per path since the last reset. */
  bytes: Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * One origin for the page and the worker, as the demo has: the two bench pages
 * (cross-origin isolated, as the demo is, so both runtimes may use WASM
 * threads) and /bench/reference.json are answered here; every other request
 * is passed byte for byte to wrangler dev (headers, brotli and all) and its
 * body bytes counted, which also sees requests from worker threads.
 */
export async function startBenchServer(worker: string, port: number, reference: number[]): Promise<BenchServer> {
  const target = new URL(worker);
  const bytes = new Map<string, number>();
  const isolated = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/bench/facegate.html" || path === "/bench/faceapi.html") {
      res.writeHead(200, isolated).end(path.endsWith("facegate.html") ? FACEGATE_PAGE : FACEAPI_PAGE);
      return;
    }
    if (path === "/bench/reference.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ descriptor: reference }));
      return;
    }
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.on("data", (chunk: Buffer) => bytes.set(path, (bytes.get(path) ?? 0) + chunk.length));
      r.pipe(res);
    });
    up.on("error", (e) => {
      console.error(`  proxy: ${req.method} ${path}: ${e.message}`);
      res.writeHead(502).end(String(e));
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    bytes,
    reset: () => bytes.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
