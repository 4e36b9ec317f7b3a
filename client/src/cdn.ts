/**
 * The script-tag build, served by the worker itself (scripts/build-demo.ts
 * bundles it with ONNX Runtime into public/sdk/):
 *
 *   <script type="module" src="https://faces.example.com/sdk/facegate.js"></script>
 *   <facegate-verify subject="alice"></facegate-verify>
 *
 * The elements' defaults point at the worker that served this file: the API
 * and models there, ONNX Runtime's .wasm from its /ort/ (all readable from
 * any origin; docs/API.md "Models"). Everything of `@facegate/client` and
 * `@facegate/client/elements` is exported too, for module scripts that import it.
 */
import { setElementDefaults } from "./elements/defaults.js";

setElementDefaults({
  baseUrl: new URL("/", import.meta.url).origin,
  wasmPaths: new URL("/ort/", import.meta.url).href,
});

export * from "./index.js";
export * from "./elements/index.js";
