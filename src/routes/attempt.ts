import type { Env } from "../env.js";
import type { EmbeddingModelInfo } from "../protocol/manifest.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import type { EnvelopeT } from "../protocol/schemas.js";
import { b64uDecode } from "../protocol/base64url.js";
import { ApiError } from "../errors/api-error.js";
import { holdsEnvelopeKey } from "../crypto/envelope-keys.js";
import { openEmbeddingEnvelope } from "../crypto/open-envelope.js";
import { refusalError } from "../vault/stub.js";
import type { BeginAttemptResult } from "../vault/types.js";

/**
 * The part of enroll and verify that happens in the worker, between the two
 * vault RPCs: the asynchronous HPKE open. The vault has already consumed the
 * challenge (so a failure here still spends it) and told us its nonce and kid.
 */
export interface AttemptRequest {
  subjectId: string;
  challengeId: string;
  modelId: string;
  envelope: EnvelopeT;
}

/** Refuses, before touching the vault, an envelope for a key we do not hold. */
export function assertEnvelopeKeyHeld(env: Env, kid: string): void {
  if (!holdsEnvelopeKey(env, kid)) throw new ApiError("envelope-key-unknown");
}

export async function openAttempt(
  env: Env,
  begun: BeginAttemptResult,
  purpose: EnvelopePurpose,
  req: AttemptRequest,
  model: EmbeddingModelInfo,
): Promise<Float32Array> {
  if (!begun.ok) throw refusalError(begun);
  // The envelope must be sealed to the key the challenge named, not merely to some key we hold.
  if (begun.kid !== req.envelope.kid) throw new ApiError("envelope-invalid");
  const embedding = await openEmbeddingEnvelope(
    env,
    { kid: req.envelope.kid, enc: b64uDecode(req.envelope.enc), ciphertext: b64uDecode(req.envelope.ciphertext) },
    { purpose, subjectId: req.subjectId, challengeId: req.challengeId, nonce: begun.nonce, modelId: req.modelId },
    model.dim,
  );
  if (!embedding) throw new ApiError("envelope-invalid");
  return embedding;
}
