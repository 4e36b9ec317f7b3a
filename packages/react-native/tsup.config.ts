import { defineConfig } from "tsup";

/**
 * ESM with a bundled .d.ts, for Metro. The pipeline, API client and errors are
 * @facegate/client's (`@facegate/client/core`, imported, not copied); the noble
 * HPKE suite of the wire protocol (../../src/protocol/hpke) is bundled in, as
 * @facegate/client bundles the protocol. Its dist names no DOM, WebAssembly,
 * WebCrypto or onnxruntime-web (test/dist.test.ts).
 */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  outDir: "dist",
  clean: true,
  dts: true,
  sourcemap: false,
  external: ["@facegate/client", /^@facegate\/client\//, "onnxruntime-react-native", /^@noble\//],
});
