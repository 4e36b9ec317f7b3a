/**
 * What the envelope (protocol/envelope.ts) needs of an HPKE implementation
 * of its suite: single-shot base mode (RFC 9180 §6.1, SealBase / OpenBase),
 * keys as raw bytes on the sealing side. Two implementations exist: hpke-js
 * (`@hpke/core`, WebCrypto; the default wherever WebCrypto has X25519) and
 * the one in this folder (`@noble/*`, plain JavaScript, for runtimes without
 * WebCrypto such as React Native's Hermes). `K` is the recipient's key as
 * the implementation holds it.
 */
export interface EnvelopeHpke<K> {
  /** Which implementation this is, for diagnostics. */
  readonly implementation: string;
  seal(
    params: { recipientPublicKey: Uint8Array; info: Uint8Array; aad: Uint8Array },
    plaintext: Uint8Array,
  ): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }>;
  /** Rejects when the ciphertext does not open (wrong key, info, aad, or tampered bytes). */
  open(params: { recipientKey: K; enc: Uint8Array; info: Uint8Array; aad: Uint8Array }, ciphertext: Uint8Array): Promise<Uint8Array>;
}

/** Source of cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;
