/**
 * @facegate/relying-party: what your backend runs before it believes a
 * facegate face assertion (docs/SECURITY.md, "What a relying party checks").
 *
 *   const claims = await verifyFaceAssertion(assertion, {
 *     issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, audience: "my-client-id",
 *     tenant: "default", nonce: login.nonce, subject: login.username, replayStore,
 *   });
 */
export { verifyFaceAssertion, type FaceAssertion, type VerifyFaceAssertionOptions } from "./verify.js";
export { FaceAssertionError, type FaceAssertionErrorCode } from "./errors.js";
export { kvReplayStore, memoryReplayStore, type KvLike, type ReplayStore } from "./replay-store.js";
