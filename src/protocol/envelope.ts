import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { envelopeAad, envelopeInfo, sealWith, type EnvelopeBinding, type SealedEnvelope } from "./envelope-wire.js";
import type { EnvelopeHpke } from "./hpke/types.js";
import type { LivenessEvidence } from "./liveness.js";

export * from "./envelope-wire.js";

/** hpke-js on WebCrypto: the envelope suite (envelope-wire.ts) for browsers, Node and the worker. */
export function createEnvelopeSuite(): CipherSuite {
  return new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Chacha20Poly1305(),
  });
}

/**
 * An HPKE implementation of the envelope suite: hpke-js's CipherSuite
 * (createEnvelopeSuite; recipient key a WebCrypto key or pair) or any
 * EnvelopeHpke (createNobleHpke; recipient key the raw private key).
 */
export type EnvelopeSuite<K = unknown> = CipherSuite | EnvelopeHpke<K>;

/** hpke-js's CipherSuite seen through the EnvelopeHpke interface. */
export function hpkeCoreAdapter(suite: CipherSuite): EnvelopeHpke<CryptoKey | CryptoKeyPair> {
  return {
    implementation: "@hpke/core (WebCrypto)",
    async seal({ recipientPublicKey, info, aad }, plaintext) {
      const { enc, ct } = await suite.seal({ recipientPublicKey: await suite.kem.deserializePublicKey(recipientPublicKey), info }, plaintext, aad);
      return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) };
    },
    async open({ recipientKey, enc, info, aad }, ciphertext) {
      return new Uint8Array(await suite.open({ recipientKey, enc, info }, ciphertext, aad));
    },
  };
}

function asEnvelopeHpke<K>(suite: EnvelopeSuite<K>): EnvelopeHpke<K> {
  return suite instanceof CipherSuite ? (hpkeCoreAdapter(suite) as EnvelopeHpke<unknown> as EnvelopeHpke<K>) : suite;
}

/** Client side: seal an embedding (and, when asked for, its liveness evidence) to the server's envelope key for one challenge. */
export async function sealEmbedding(
  suite: EnvelopeSuite,
  key: { kid: string; publicKey: Uint8Array },
  binding: EnvelopeBinding,
  embedding: ArrayLike<number>,
  evidence?: LivenessEvidence,
): Promise<SealedEnvelope> {
  return sealWith(asEnvelopeHpke(suite), key, binding, embedding, evidence);
}

/**
 * Server side: open an envelope. Returns the plaintext bytes, or null when it
 * does not open (wrong key, tampered, or bound to another
 * purpose/subject/challenge/nonce/model). Callers must not say which.
 */
export async function openEnvelope(
  suite: CipherSuite,
  recipientKey: CryptoKey | CryptoKeyPair,
  binding: EnvelopeBinding,
  enc: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array | null>;
export async function openEnvelope<K>(
  suite: EnvelopeHpke<K>,
  recipientKey: K,
  binding: EnvelopeBinding,
  enc: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array | null>;
export async function openEnvelope<K>(
  suite: EnvelopeSuite<K>,
  recipientKey: K,
  binding: EnvelopeBinding,
  enc: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array | null> {
  try {
    return await asEnvelopeHpke(suite).open({ recipientKey, enc, info: envelopeInfo(), aad: envelopeAad(binding) }, ciphertext);
  } catch {
    return null;
  }
}
