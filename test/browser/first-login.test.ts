import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startBenchServer, type BenchServer } from "../../bench/browser/server.js";
import { measureLoad, THROTTLES, type Load } from "../../bench/browser/measure.js";
import { subjectFactory } from "../../bench/browser/subjects.js";
import { freePort, startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face } from "../../scripts/lib/shared-data.js";
import { openPage } from "./support/demo.js";
import { launchChromium } from "../../scripts/lib/chromium.js";
import { cameraFrom } from "../../scripts/lib/fake-camera.js";
import { RUNTIME_CACHE } from "../../client/src/runtime/compressed-runtime.js";

/**
 * `npm run bench:browser`'s facegate page, once, unthrottled, in Debian's
 * Chromium against the real worker: what a first login downloads and what a
 * second visit does not. Behaviour only; the times are the benchmark's.
 */
describe("first login in Chromium: what is fetched, cold and warm", () => {
  let worker: DevServer;
  let server: BenchServer;
  let browser: Browser;
  let subjects: ReturnType<typeof subjectFactory>;
  const noThrottle = THROTTLES[0]!;

  beforeAll(async () => {
    ensureDevKeys();
    const port = await freePort();
    worker = await startDevServer({ vars: { CORS_ORIGINS: `http://127.0.0.1:${port}` } });
    server = await startBenchServer(worker.url, port, []);
    subjects = subjectFactory(worker.url, face("obama/obama_1.jpg"));
    ({ browser } = await launchChromium({ camera: await cameraFrom(face("obama/obama_2.jpg")) }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await worker?.stop();
  });

  const modelFiles = (load: Load) =>
    [...load.served.keys()]
      .filter((p) => p.startsWith("/models/") && p.endsWith(".onnx"))
      .map((p) => p.split("/").pop())
      .sort();
  const runtimeFiles = (load: Load) => [...load.served.keys()].filter((p) => p.startsWith("/ort/"));

  it("cold: the three face models and ORT's runtime, never the liveness model with PAD off; warm: no model or runtime bytes, and still a decision", async () => {
    const context = await browser.newContext({ permissions: ["camera"] });
    const cold = await measureLoad(context, server, `${server.url}/bench/facegate.html?${await subjects.next()}`, noThrottle);
    expect(cold.error).toBeUndefined();
    expect(cold.result).toMatchObject({ type: "facegate-match" });
    expect(modelFiles(cold)).toEqual(["fr_detect.onnx", "fr_feature.onnx", "fr_landmark.onnx"]);
    // ORT's runtime as the worker's brotli copy (2.3 MB) and its decoder, never the plain .wasm (14.2 MB raw).
    expect(runtimeFiles(cold)).toContain("/ort/ort-wasm-simd-threaded.wasm.brotli");
    expect(runtimeFiles(cold)).toContain("/ort/brotli_dec_wasm_bg.wasm");
    expect(runtimeFiles(cold)).not.toContain("/ort/ort-wasm-simd-threaded.wasm");
    expect(cold.wire.get("/ort/ort-wasm-simd-threaded.wasm.brotli")!).toBeLessThan(2_500_000);

    const warm = await measureLoad(context, server, `${server.url}/bench/facegate.html?${await subjects.next()}`, noThrottle);
    expect(warm.error).toBeUndefined();
    expect(warm.result).toMatchObject({ type: "facegate-match" });
    // Models (and the content-hashed manifest) from Cache Storage, and the decompressed runtime too: the page
    // does not even ask its HTTP cache for the brotli copy or the decoder (`timing` lists every request it made).
    expect([...warm.served.keys()].filter((p) => p.startsWith("/models/"))).toEqual([]);
    expect(runtimeFiles(warm)).toEqual([]);
    expect([...warm.timing.keys()].filter((p) => p.endsWith(".brotli") || p.includes("brotli_dec"))).toEqual([]);
    const page = await context.newPage();
    await openPage(page, `${server.url}/v1/health`); // any page of the origin
    const stored = await page.evaluate(async (name) => {
      const keys = await (await caches.open(name)).keys();
      return keys.map((k) => new URL(k.url).pathname);
    }, RUNTIME_CACHE);
    expect(stored).toEqual(["/ort/ort-wasm-simd-threaded.wasm.brotli"]);
    await page.close();
    await context.close();
  }, 300_000);

  it("falls back to ORT's plain .wasm when the host has no brotli copy, and still decides", async () => {
    const context = await browser.newContext({ permissions: ["camera"] });
    await context.route("**/ort/ort-wasm-simd-threaded.wasm.brotli", (route) => route.fulfill({ status: 404, body: "" }));
    const load = await measureLoad(context, server, `${server.url}/bench/facegate.html?${await subjects.next()}`, noThrottle);
    expect(load.error).toBeUndefined();
    expect(load.result).toMatchObject({ type: "facegate-match" });
    expect(runtimeFiles(load)).toContain("/ort/ort-wasm-simd-threaded.wasm");
    // What the static-asset server compressed on the fly (what the browser received).
    expect(load.wire.get("/ort/ort-wasm-simd-threaded.wasm")!).toBeLessThan(14_239_897 / 2);
    await context.close();
  }, 300_000);

  it("fetches the liveness model when the element asks for presentation-attack detection", async () => {
    const context = await browser.newContext({ permissions: ["camera"] });
    const load = await measureLoad(context, server, `${server.url}/bench/facegate.html?${await subjects.next({ pad: "report" })}`, noThrottle);
    expect(load.error).toBeUndefined();
    expect(modelFiles(load)).toEqual(["fr_detect.onnx", "fr_feature.onnx", "fr_landmark.onnx", "fr_liveness.onnx"]);
    await context.close();
  }, 300_000);
});
