/**
 * The facegate wire protocol, shared by the worker (src/) and the client SDK
 * (client/). Nothing here may import worker-only or DOM-only APIs.
 */
export * from "./base64url.js";
export * from "./envelope.js";
export * from "./hpke/index.js";
export * from "./ids.js";
export * from "./problems.js";
export * from "./schemas.js";
export * from "./scopes.js";
export * from "./version.js";
export * from "./manifest.js";
export * from "./limits.js";
export * from "./liveness.js";
export * from "./similarity.js";
