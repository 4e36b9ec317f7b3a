import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "./random.js";

/**
 * XChaCha20-Poly1305 with a random 24-byte nonce stored in front of the
 * ciphertext: `nonce || ciphertext || tag`. 192-bit nonces make random nonces
 * safe for any number of messages under one key. Synchronous (noble), so the
 * vault can seal and open inside a single synchronous decision.
 */
export const XNONCE_BYTES = 24;

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(XNONCE_BYTES);
  const ct = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
  const out = new Uint8Array(XNONCE_BYTES + ct.length);
  out.set(nonce, 0);
  out.set(ct, XNONCE_BYTES);
  return out;
}

/** Returns the plaintext, or null when the blob does not open under this key and AAD. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.length < XNONCE_BYTES + 16) return null;
  try {
    return xchacha20poly1305(key, sealed.subarray(0, XNONCE_BYTES), aad).decrypt(sealed.subarray(XNONCE_BYTES));
  } catch {
    return null;
  }
}
