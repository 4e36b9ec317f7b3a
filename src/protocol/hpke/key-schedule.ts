import { concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { KEM_ID } from "./dhkem.js";
import { EMPTY, i2osp, labeledExpand, labeledExtract } from "./labeled.js";

/**
 * RFC 9180 §5.1 KeySchedule, base mode only (mode 0x00: no PSK, no sender
 * authentication), for the one suite the envelope uses: KDF HKDF-SHA256
 * (0x0001), AEAD ChaCha20Poly1305 (0x0003). This composition is the part
 * no library gives us (noble has HKDF and the AEAD, not HPKE), so it is
 * written out step by step as the RFC's pseudocode has it. The exporter
 * secret is not derived: the envelope exports nothing.
 */

export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0003;
/** Nk and Nn of ChaCha20Poly1305 (RFC 9180 §7.3, table 5). */
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;

export const HPKE_SUITE_ID = concatBytes(utf8ToBytes("HPKE"), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD_ID, 2));

const MODE_BASE = 0x00;

export interface KeyScheduleOutput {
  key: Uint8Array;
  baseNonce: Uint8Array;
}

export function keyScheduleBase(sharedSecret: Uint8Array, info: Uint8Array): KeyScheduleOutput {
  // Base mode: psk and psk_id are empty (default_psk, default_psk_id, §5.1).
  const pskIdHash = labeledExtract(HPKE_SUITE_ID, EMPTY, "psk_id_hash", EMPTY);
  const infoHash = labeledExtract(HPKE_SUITE_ID, EMPTY, "info_hash", info);
  const context = concatBytes(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = labeledExtract(HPKE_SUITE_ID, sharedSecret, "secret", EMPTY);
  const out = {
    key: labeledExpand(HPKE_SUITE_ID, secret, "key", context, AEAD_KEY_BYTES),
    baseNonce: labeledExpand(HPKE_SUITE_ID, secret, "base_nonce", context, AEAD_NONCE_BYTES),
  };
  secret.fill(0);
  return out;
}
