import { defineConfig, type Options } from "tsup";

/**
 * The published build of @facegate/client (docs/ARCHITECTURE.md, "Packages"):
 * ESM only, one bundled .d.ts per entry (a consumer's compiler reads those, never our sources),
 * the wire protocol (../src/protocol, zod/mini for the manifest) bundled in, and only what
 * runs on the device left as dependencies. Browser entries and Node entries are built apart
 * so that neither imports the other's platform modules, and the core (core.ts) apart
 * from both, so that it imports neither's.
 */
const shared: Options = {
  format: ["esm"],
  target: "es2022",
  outDir: "dist",
  splitting: true,
  treeshake: true,
  // No source maps in the package: they would reference sources it does not ship.
  sourcemap: false,
  minify: false,
  dts: true,
  tsconfig: "tsconfig.build.json",
  // zod/mini checks models/manifest.json on load: bundled (tree-shaken) rather than a dependency.
  noExternal: [/^zod/],
  external: ["onnxruntime-web", /^onnxruntime-web\//, "@hpke/core", "@hpke/chacha20poly1305", "@scure/base", "@simplewebauthn/browser", "jpeg-js", "pngjs"],
};

export default defineConfig([
  {
    ...shared,
    clean: true,
    platform: "browser",
    entry: { index: "src/index.ts", elements: "src/elements/index.ts" },
  },
  {
    // @facegate/client/core: no platform at all (React Native imports it; @facegate/react-native).
    ...shared,
    clean: false,
    platform: "neutral",
    entry: { core: "src/core.ts" },
  },
  {
    ...shared,
    clean: false,
    platform: "node",
    entry: { node: "src/node.ts", cli: "src/cli/bin.ts" },
    // jose signs the CLI's local dev tokens only: bundled into the CLI so web apps never install it.
    noExternal: [/^zod/, "jose"],
  },
]);
