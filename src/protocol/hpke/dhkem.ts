import { x25519 } from "@noble/curves/ed25519.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { EMPTY, i2osp, labeledExpand, labeledExtract } from "./labeled.js";

/**
 * DHKEM(X25519, HKDF-SHA256), KEM id 0x0020 (RFC 9180 §4.1, §7.1). X25519
 * itself is @noble/curves'; what is written here is the KEM around it:
 * DeriveKeyPair, and the kem_context and labels of Encap/Decap.
 */

export const KEM_ID = 0x0020;
/** Nsecret, Nenc, Npk, Nsk of this KEM (RFC 9180 §7.1, table 2): all 32 bytes. */
export const KEM_BYTES = 32;

const KEM_SUITE_ID = concatBytes(utf8ToBytes("KEM"), i2osp(KEM_ID, 2));

export interface X25519KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * RFC 9180 §7.1.3, for X25519: the private key is the KDF's output, used
 * as is (X25519 clamps it, RFC 7748 §5). `ikm` must hold at least 32 bytes
 * of entropy.
 */
export function deriveKeyPair(ikm: Uint8Array): X25519KeyPair {
  if (ikm.length < KEM_BYTES) throw new RangeError(`DeriveKeyPair needs at least ${KEM_BYTES} bytes of ikm`);
  const dkpPrk = labeledExtract(KEM_SUITE_ID, EMPTY, "dkp_prk", ikm);
  const privateKey = labeledExpand(KEM_SUITE_ID, dkpPrk, "sk", EMPTY, KEM_BYTES);
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/** RFC 9180 §4.1 ExtractAndExpand. */
function extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, "eae_prk", dh);
  return labeledExpand(KEM_SUITE_ID, eaePrk, "shared_secret", kemContext, KEM_BYTES);
}

function checkKey(bytes: Uint8Array, what: string): void {
  if (bytes.length !== KEM_BYTES) throw new RangeError(`${what} must be ${KEM_BYTES} bytes, got ${bytes.length}`);
}

/**
 * RFC 9180 §4.1 Encap, with the ephemeral key pair given (the caller makes
 * it from fresh randomness with deriveKeyPair). noble's getSharedSecret
 * refuses a low-order public key, which is the all-zero check of §7.1.4.
 */
export function encap(recipientPublicKey: Uint8Array, ephemeral: X25519KeyPair): { sharedSecret: Uint8Array; enc: Uint8Array } {
  checkKey(recipientPublicKey, "the recipient public key");
  const dh = x25519.getSharedSecret(ephemeral.privateKey, recipientPublicKey);
  const enc = ephemeral.publicKey;
  const sharedSecret = extractAndExpand(dh, concatBytes(enc, recipientPublicKey));
  dh.fill(0);
  return { sharedSecret, enc };
}

/** RFC 9180 §4.1 Decap. */
export function decap(enc: Uint8Array, recipientPrivateKey: Uint8Array): Uint8Array {
  checkKey(enc, "enc");
  checkKey(recipientPrivateKey, "the recipient private key");
  const dh = x25519.getSharedSecret(recipientPrivateKey, enc);
  const sharedSecret = extractAndExpand(dh, concatBytes(enc, x25519.getPublicKey(recipientPrivateKey)));
  dh.fill(0);
  return sharedSecret;
}
