import { bytesToEmbedding, openEnvelope, type EnvelopeBinding } from "../protocol/envelope.js";
import type { Env } from "../env.js";
import { envelopeKeyPair, envelopeSuite } from "./envelope-keys.js";

export interface WireEnvelope {
  kid: string;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

/**
 * Opens an embedding envelope and decodes it. Returns null for every kind of
 * failure (unknown kid, wrong key, tampered bytes, other binding, wrong length,
 * non-finite or non-unit vector): callers answer `envelope-invalid` without
 * saying which, so the endpoint is no oracle.
 */
export async function openEmbeddingEnvelope(
  env: Env,
  envelope: WireEnvelope,
  binding: EnvelopeBinding,
  dim: number,
): Promise<Float32Array | null> {
  const pair = envelopeKeyPair(env, envelope.kid);
  if (!pair) return null;
  const plaintext = await openEnvelope(envelopeSuite(), await pair, binding, envelope.enc, envelope.ciphertext);
  if (!plaintext) return null;
  const embedding = bytesToEmbedding(plaintext, dim);
  plaintext.fill(0);
  return embedding;
}
