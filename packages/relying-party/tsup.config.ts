import { defineConfig } from "tsup";

/** ESM with a bundled .d.ts; jose stays a dependency (it runs on Node, Workers, Deno and Bun). */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  target: "es2022",
  platform: "neutral",
  outDir: "dist",
  clean: true,
  dts: true,
  sourcemap: false,
  external: ["jose"],
});
