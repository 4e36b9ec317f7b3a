import vectorsFile from "./rfc9180-base-x25519-sha256-chacha20poly1305.json";

/** One RFC 9180 known-answer test vector (hex strings), as the vectors file carries it. */
export interface Rfc9180Vector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  pkEm: string;
  skEm: string;
  ikmR: string;
  pkRm: string;
  skRm: string;
  enc: string;
  shared_secret: string;
  key: string;
  base_nonce: string;
  encryptions: { sequence_number: number; pt: string; aad: string; ct: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

/**
 * The vectors of exactly the envelope's suite: base mode, DHKEM(X25519,
 * HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001, ChaCha20Poly1305 0x0003.
 */
export const ENVELOPE_SUITE_VECTORS: readonly Rfc9180Vector[] = (vectorsFile.vectors as Rfc9180Vector[]).filter(
  (v) => v.mode === 0 && v.kem_id === 0x20 && v.kdf_id === 1 && v.aead_id === 3,
);
