import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { decap, deriveKeyPair, encap, KEM_BYTES } from "./dhkem.js";
import { keyScheduleBase } from "./key-schedule.js";
import type { EnvelopeHpke, RandomBytes } from "./types.js";

/**
 * Single-shot HPKE base mode (RFC 9180 §6.1) for DHKEM(X25519,
 * HKDF-SHA256) / HKDF-SHA256 / ChaCha20Poly1305, on @noble/curves,
 * @noble/hashes and @noble/ciphers: no WebCrypto anywhere, so it runs on
 * React Native's Hermes as on Node, browsers and workerd. One message per
 * context, so the AEAD nonce is the base nonce itself (sequence number 0,
 * §5.2) and no context outlives the call.
 */

/** An envelope that does not open. Says nothing about why, on purpose. */
export class HpkeOpenError extends Error {
  override name = "HpkeOpenError";
  constructor() {
    super("the ciphertext did not open");
  }
}

/**
 * `crypto.getRandomValues`, looked up when called (not at import), so a
 * polyfill installed later still counts. React Native has none built in:
 * import `react-native-get-random-values` first thing in the app (it
 * installs a native CSPRNG as `crypto.getRandomValues`), or pass your own
 * `randomBytes` to createNobleHpke.
 */
export const webRandomBytes: RandomBytes = (length) => {
  const c = (globalThis as { crypto?: { getRandomValues?: <T extends ArrayBufferView>(a: T) => T } }).crypto;
  if (typeof c?.getRandomValues !== "function") {
    throw new Error("no crypto.getRandomValues in this runtime: on React Native, import 'react-native-get-random-values' before facegate, or pass randomBytes");
  }
  return c.getRandomValues(new Uint8Array(length));
};

/**
 * SealBase(pkR, info, aad, pt). The ephemeral key pair is
 * DeriveKeyPair(random(Nsk)), which RFC 9180 §7.1.3 allows for
 * GenerateKeyPair; it also makes the RFC's own vectors reproducible by
 * passing their `ikmE` as the randomness.
 */
export function sealBase(
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  randomBytes: RandomBytes = webRandomBytes,
): { enc: Uint8Array; ciphertext: Uint8Array } {
  const ikm = randomBytes(KEM_BYTES);
  if (!(ikm instanceof Uint8Array) || ikm.length !== KEM_BYTES) throw new Error(`randomBytes(${KEM_BYTES}) must return ${KEM_BYTES} bytes`);
  const ephemeral = deriveKeyPair(ikm);
  ikm.fill(0);
  const { sharedSecret, enc } = encap(recipientPublicKey, ephemeral);
  ephemeral.privateKey.fill(0);
  const { key, baseNonce } = keyScheduleBase(sharedSecret, info);
  sharedSecret.fill(0);
  const ciphertext = chacha20poly1305(key, baseNonce, aad).encrypt(plaintext);
  key.fill(0);
  return { enc, ciphertext };
}

/** OpenBase(enc, skR, info, aad, ct); throws HpkeOpenError when it does not open. */
export function openBase(enc: Uint8Array, recipientPrivateKey: Uint8Array, info: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  let key: Uint8Array | undefined;
  try {
    const sharedSecret = decap(enc, recipientPrivateKey);
    const schedule = keyScheduleBase(sharedSecret, info);
    sharedSecret.fill(0);
    key = schedule.key;
    return chacha20poly1305(key, schedule.baseNonce, aad).decrypt(ciphertext);
  } catch {
    throw new HpkeOpenError();
  } finally {
    key?.fill(0);
  }
}

export interface NobleHpkeOptions {
  /** Random bytes for the ephemeral key; default `crypto.getRandomValues` (webRandomBytes). */
  randomBytes?: RandomBytes;
}

/**
 * The envelope's HPKE suite on noble, for sealEmbedding / openEnvelope
 * (protocol/envelope.ts). The recipient key is the raw 32-byte X25519
 * private key.
 */
export function createNobleHpke(opts: NobleHpkeOptions = {}): EnvelopeHpke<Uint8Array> {
  const randomBytes = opts.randomBytes ?? webRandomBytes;
  return {
    implementation: "@noble (src/protocol/hpke)",
    async seal({ recipientPublicKey, info, aad }, plaintext) {
      return sealBase(recipientPublicKey, info, aad, plaintext, randomBytes);
    },
    async open({ recipientKey, enc, info, aad }, ciphertext) {
      return openBase(enc, recipientKey, info, aad, ciphertext);
    },
  };
}
