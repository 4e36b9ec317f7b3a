/**
 * HPKE (RFC 9180) without WebCrypto: the envelope's one suite, base mode,
 * single shot, from the noble libraries. The files follow the RFC:
 * labeled.ts (§4), dhkem.ts (§4.1, §7.1), key-schedule.ts (§5.1),
 * base-mode.ts (§6.1). docs/MOBILE.md says who uses it and why.
 */
export { createNobleHpke, HpkeOpenError, openBase, sealBase, webRandomBytes, type NobleHpkeOptions } from "./base-mode.js";
export { deriveKeyPair, type X25519KeyPair } from "./dhkem.js";
export type { EnvelopeHpke, RandomBytes } from "./types.js";
