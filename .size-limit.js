/**
 * Size budgets (test/node/size.test.ts): minified, gzip, ONNX Runtime excluded (it loads as
 * its own chunk, and the models are their own download).
 *
 * - The main chunk: what a web app downloads when it imports the SDK, before loadModels().
 *   The chunks the SDK imports later are not in it: the face pipeline (load-browser-*.js,
 *   fetched by loadModels() together with the models) and an active liveness challenge's
 *   capture (capture-*.js, fetched only when a challenge asks for one).
 * - Everything the SDK's own code adds up to on a sign-in with an active challenge: the main
 *   chunk and both later chunks.
 * - The passkey ceremonies (webauthn-lib-*.js, @simplewebauthn/browser): fetched only when a
 *   tenant's device policy asks for a passkey, so counted apart.
 * - The compressed runtime's loader (compressed-runtime-*.js: brotli-dec-wasm's glue, whose
 *   .wasm is fetched with it): part of loading ONNX Runtime, fetched only when the page names
 *   where ORT's files are served, so counted apart like ORT.
 */
const passkeys = (config) => ({ ...config, external: [...(config.external ?? []), "./webauthn-lib-*", "./compressed-runtime-*"] });
const lazy = (config) => passkeys({ ...config, external: [...(config.external ?? []), "./capture-*", "./load-browser-*"] });

export default [
  {
    name: "@facegate/client main chunk (browser entry before loadModels(), ONNX Runtime excluded)",
    path: "client/dist/index.js",
    ignore: ["onnxruntime-web"],
    modifyEsbuildConfig: lazy,
    gzip: true,
    limit: "25 KB",
  },
  {
    name: "@facegate/client/elements main chunk (the same plus the elements)",
    path: "client/dist/elements.js",
    ignore: ["onnxruntime-web"],
    modifyEsbuildConfig: lazy,
    gzip: true,
    limit: "30 KB",
  },
  {
    name: "@facegate/client all of the SDK's code (main chunk, pipeline, active capture; ONNX Runtime excluded)",
    path: "client/dist/index.js",
    ignore: ["onnxruntime-web"],
    modifyEsbuildConfig: passkeys,
    gzip: true,
    // 45 -> 47 kB (2026-12-01): the directional deblurring of motion-blurred crops
    // (pipeline/quality/deblur.ts) and the pipeline version sent with each envelope took it to 45.9.
    limit: "47 KB",
  },
  {
    name: "@facegate/client compressed-runtime loader chunk (with ONNX Runtime, when wasmPaths is set)",
    path: "client/dist/compressed-runtime-*.js",
    gzip: true,
    limit: "5 KB",
  },
  {
    name: "@facegate/client passkey chunk (only under a device policy)",
    path: "client/dist/webauthn-lib-*.js",
    gzip: true,
    limit: "6 KB",
  },
];
