import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * RFC 9180 §4: every HKDF call of HPKE is "labeled" with the protocol
 * version and the suite, so keys derived for one suite or one purpose can
 * never equal keys of another. The HKDF itself is @noble/hashes'; only the
 * byte strings fed to it are written here.
 */

export const EMPTY: Uint8Array = new Uint8Array(0);

const HPKE_V1 = utf8ToBytes("HPKE-v1");

/** I2OSP (RFC 8017 §4.1): `n` as a big-endian unsigned integer of `width` bytes. */
export function i2osp(n: number, width: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 256 ** width) throw new RangeError(`${n} does not fit in ${width} bytes`);
  const out = new Uint8Array(width);
  for (let i = width - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/** `LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)`. */
export function labeledExtract(suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  // An empty salt is HMAC with an empty key, which RFC 5869 §2.2 defines as HashLen zero bytes; noble agrees.
  return extract(sha256, concatBytes(HPKE_V1, suiteId, utf8ToBytes(label), ikm), salt);
}

/** `LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L)`. */
export function labeledExpand(suiteId: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
  return expand(sha256, prk, concatBytes(i2osp(length, 2), HPKE_V1, suiteId, utf8ToBytes(label), info), length);
}
