import { bytesToProbe, openEnvelope, type EnvelopeBinding } from "../protocol/envelope.js";
import type { LivenessEvidence } from "../protocol/liveness.js";
import type { Env } from "../env.js";
import { envelopeKeyPair, envelopeSuite } from "./envelope-keys.js";

export interface WireEnvelope {
  kid: string;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

export interface OpenedProbe {
  embedding: Float32Array;
  /** The liveness evidence sealed after the embedding, if the client sent any. */
  evidence: LivenessEvidence | null;
}

/**
 * Opens a probe envelope and decodes it. Returns null for every kind of
 * failure (unknown kid, wrong key, tampered bytes, other binding, wrong length,
 * non-finite or non-unit vector, evidence that is not exactly the schema):
 * callers answer `envelope-invalid` without saying which, so the endpoint is no oracle.
 */
export async function openEmbeddingEnvelope(env: Env, envelope: WireEnvelope, binding: EnvelopeBinding, dim: number): Promise<OpenedProbe | null> {
  const pair = envelopeKeyPair(env, envelope.kid);
  if (!pair) return null;
  const plaintext = await openEnvelope(envelopeSuite(), await pair, binding, envelope.enc, envelope.ciphertext);
  if (!plaintext) return null;
  const probe = bytesToProbe(plaintext, dim);
  plaintext.fill(0);
  return probe;
}
