import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { readImageFile } from "../../client/src/image/decode-node.js";
import type { RgbaImage } from "../../client/src/image/types.js";
import { similarity } from "../../src/protocol/similarity.js";
import type { FacePipeline } from "../../client/src/pipeline/face-pipeline.js";
import { loadNodePipeline } from "../../client/src/pipeline/load/load-node.js";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";
import { openPage } from "./support/demo.js";
import { launchChromium } from "../../scripts/lib/chromium.js";

/**
 * The same pixels through the SDK in Node (onnxruntime-web WASM) and in
 * Chromium (WASM, and WebGPU on SwiftShader with --enable-unsafe-webgpu):
 * the embeddings must agree, so the Node tests stand for the browser.
 */
describe("SDK in Chromium agrees with Node", () => {
  let server: DevServer;
  let browser: Browser;
  let node: FacePipeline;
  const photos = ["obama/obama_2.jpg", "kit_harington/kit_harington_1.jpg"];
  const images = new Map<string, RgbaImage>();

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer();
    ({ browser } = await launchChromium({ webgpu: true }));
    node = await loadNodePipeline({ modelsDir: `${REPO}models` });
    for (const p of photos) images.set(p, await readImageFile(face(p)));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await node?.dispose();
    await server?.stop();
  });

  /** Embeds each photo's RGBA in a fresh page whose client is forced onto `ep`. */
  async function embedInBrowser(ep: "wasm" | "webgpu") {
    const page = await browser.newPage();
    try {
      await openPage(page, `${server.url}/demo/?ep=${ep}`);
      const out: { provider: string; reason: string; embedding: number[] }[] = [];
      for (const p of photos) {
        const img = images.get(p)!;
        out.push(
          await page.evaluate(
            async ({ b64, width, height }) => {
              const { client } = (globalThis as unknown as { facegate: { client: import("../../client/src/index.js").FaceClient } }).facegate;
              const info = await client.loadModels();
              const data = Uint8ClampedArray.from(atob(b64), (ch) => ch.charCodeAt(0));
              const r = await client.embed({ data, width, height });
              return { provider: r.provider, reason: info.reason, embedding: Array.from(r.embedding) };
            },
            // base64: far cheaper to pass into the page than a 4-million-element array
            { b64: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength).toString("base64"), width: img.width, height: img.height },
          ),
        );
      }
      return out;
    } finally {
      await page.close();
    }
  }

  it("browser WASM matches Node WASM (cosine > 0.9999)", async () => {
    const browserResults = await embedInBrowser("wasm");
    for (const [i, p] of photos.entries()) {
      const mine = (await node.analyze(images.get(p)!)).embedding;
      expect(browserResults[i]!.provider).toBe("wasm");
      expect(similarity(mine, Float32Array.from(browserResults[i]!.embedding))).toBeGreaterThan(0.9999);
    }
  });

  // The embedding model computes its 1x1 convolutions in int8: WASM runs them as integer
  // QLinearConv, WebGPU computes the same quantised graph with its own kernels, and the two
  // round differently (measured 0.9974). The bound is the conformance bound for another runtime
  // (scripts/conformance/generate.ts), which changed no DevTest decision natively.
  it("WebGPU (SwiftShader) runs every model and matches WASM (cosine > 0.985)", async () => {
    const gpu = await embedInBrowser("webgpu");
    for (const [i, p] of photos.entries()) {
      const mine = (await node.analyze(images.get(p)!)).embedding;
      expect(gpu[i]!.provider).toBe("webgpu");
      expect(gpu[i]!.reason).toMatch(/requested/);
      expect(similarity(mine, Float32Array.from(gpu[i]!.embedding))).toBeGreaterThan(0.985);
    }
  });
});
