import type { EnvelopeHpke } from "./hpke/types.js";
import { LivenessEvidenceSchema, MAX_EVIDENCE_BYTES, type LivenessEvidence } from "./liveness.js";
import { PROTOCOL } from "./version.js";

/**
 * The embedding envelope: HPKE (RFC 9180) base mode with
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20Poly1305
 * (suite ids 0x0020 / 0x0001 / 0x0003). Two implementations seal and open
 * it: hpke-js on WebCrypto (createEnvelopeSuite, the default for browsers,
 * Node and the worker) and the noble one in ./hpke (createNobleHpke), for
 * runtimes without WebCrypto such as React Native's Hermes
 * (docs/MOBILE.md). Either may seal what the other opens.
 *
 * This file is the wire format and sealing over any implementation, and
 * imports none: code that must not load WebCrypto's hpke-js (the React
 * Native SDK, through @facegate/client/core) imports it directly;
 * envelope.ts adds hpke-js and re-exports it.
 */
export const ENVELOPE_SUITE = {
  kem: "DHKEM(X25519, HKDF-SHA256)",
  kdf: "HKDF-SHA256",
  aead: "ChaCha20Poly1305",
} as const;

/** Sizes fixed by the suite: `enc` is the sender's X25519 public key; the AEAD tag is 16 bytes. */
export const X25519_KEY_BYTES = 32;
export const ENC_BYTES = 32;
export const AEAD_TAG_BYTES = 16;

export type EnvelopePurpose = "enroll" | "verify";

/** Everything the envelope is bound to; any change makes it fail to open. */
export interface EnvelopeBinding {
  purpose: EnvelopePurpose;
  subjectId: string;
  challengeId: string;
  nonce: string;
  modelId: string;
}

const utf8 = new TextEncoder();

/** HPKE `info`: the protocol name, so keys of another protocol never derive the same context. */
export function envelopeInfo(): Uint8Array {
  return utf8.encode(PROTOCOL);
}

/**
 * HPKE `aad`: `facegate/v1|{purpose}|{subjectId}|{challengeId}|{nonce}|{modelId}`.
 * None of the fields can contain `|` (see ids.ts), so the encoding is unambiguous.
 */
export function envelopeAad(b: EnvelopeBinding): Uint8Array {
  return utf8.encode([PROTOCOL, b.purpose, b.subjectId, b.challengeId, b.nonce, b.modelId].join("|"));
}

/** Plaintext: the L2-normalised embedding as little-endian float32. */
export function embeddingToBytes(embedding: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(embedding.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < embedding.length; i++) view.setFloat32(i * 4, embedding[i]!, true);
  return out;
}

/**
 * Inverse of embeddingToBytes. Returns null unless the plaintext is exactly
 * `dim` finite floats with unit L2 norm (to float32 rounding): the server
 * refuses anything that is not what an honest client would send.
 */
export function bytesToEmbedding(bytes: Uint8Array, dim: number): Float32Array | null {
  if (bytes.length !== dim * 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const v = view.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) return null;
    out[i] = v;
    norm += v * v;
  }
  return Math.abs(Math.sqrt(norm) - 1) <= 1e-3 ? out : null;
}

/**
 * The plaintext of a probe: the embedding (embeddingToBytes), then, when a
 * liveness challenge or policy asks for it, the evidence as UTF-8 JSON
 * (protocol/liveness.ts). An envelope of just the embedding is what it always
 * was, so a client that knows nothing of liveness still speaks the contract.
 */
export function probeToBytes(embedding: ArrayLike<number>, evidence?: LivenessEvidence): Uint8Array {
  const head = embeddingToBytes(embedding);
  if (!evidence) return head;
  const tail = utf8.encode(JSON.stringify(evidence));
  if (tail.length > MAX_EVIDENCE_BYTES) throw new RangeError(`liveness evidence is ${tail.length} bytes (at most ${MAX_EVIDENCE_BYTES})`);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/**
 * Inverse of probeToBytes: null unless the first `dim * 4` bytes are a valid
 * embedding (bytesToEmbedding) and what follows, if anything, is evidence
 * that matches the schema exactly.
 */
export function bytesToProbe(bytes: Uint8Array, dim: number): { embedding: Float32Array; evidence: LivenessEvidence | null } | null {
  if (bytes.length < dim * 4 || bytes.length > dim * 4 + MAX_EVIDENCE_BYTES) return null;
  const embedding = bytesToEmbedding(bytes.subarray(0, dim * 4), dim);
  if (!embedding) return null;
  if (bytes.length === dim * 4) return { embedding, evidence: null };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(dim * 4)));
  } catch {
    return null;
  }
  const parsed = LivenessEvidenceSchema.safeParse(json);
  return parsed.success ? { embedding, evidence: parsed.data } : null;
}

/** The envelope as it travels (binary fields base64url-encoded by the caller). */
export interface SealedEnvelope {
  kid: string;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * Client side: seal an embedding (and, when asked for, its liveness evidence)
 * to the server's envelope key for one challenge, with any implementation of
 * the suite (envelope.ts adapts hpke-js; hpke/ is the noble one).
 */
export async function sealWith(
  hpke: EnvelopeHpke<unknown>,
  key: { kid: string; publicKey: Uint8Array },
  binding: EnvelopeBinding,
  embedding: ArrayLike<number>,
  evidence?: LivenessEvidence,
): Promise<SealedEnvelope> {
  const { enc, ciphertext } = await hpke.seal(
    { recipientPublicKey: key.publicKey, info: envelopeInfo(), aad: envelopeAad(binding) },
    probeToBytes(embedding, evidence),
  );
  return { kid: key.kid, enc, ciphertext };
}
