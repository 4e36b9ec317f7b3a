/** Exports of the browser (index.ts) and Node (node.ts) entries: the shared surface and the WebCrypto-sealing FacegateApi. */
export * from "./shared-exports.js";
export { FacegateApi, type FacegateApiInit as FacegateApiOptions } from "./api/facegate-api.js";
