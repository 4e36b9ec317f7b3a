/**
 * Page-wide defaults for the elements' attributes, so an app with several
 * elements names its worker once: `setElementDefaults({ baseUrl })`. The
 * script-tag build (cdn.ts) sets them to the worker that served it.
 */
export interface ElementDefaults {
  /** The facegate worker (the `base-url` attribute). */
  baseUrl?: string;
  /** Where ONNX Runtime's .wasm files are (the `wasm-paths` attribute). */
  wasmPaths?: string;
  /** Where the models are (the `models-base-url` attribute). */
  modelsBaseUrl?: string;
}

export const elementDefaults: ElementDefaults = {};

export function setElementDefaults(defaults: ElementDefaults): void {
  Object.assign(elementDefaults, defaults);
}
