import { b64uDecode, b64uEncode } from "../../../src/protocol/base64url.js";
import { createEnvelopeSuite, sealEmbedding, type EnvelopePurpose } from "../../../src/protocol/envelope.js";
import type { LivenessEvidence } from "../../../src/protocol/liveness.js";
import type { EnvelopeT } from "../../../src/protocol/schemas.js";
import type { Challenge } from "./types.js";

let suite: ReturnType<typeof createEnvelopeSuite> | undefined;

/**
 * Seals an embedding for one challenge, exactly as the wire contract says:
 * HPKE base mode to the challenge's envelope key, AAD binding purpose,
 * subject, challenge, nonce and model. The embedding never leaves the device
 * in any other form.
 */
export async function sealForChallenge(
  challenge: Challenge,
  purpose: EnvelopePurpose,
  subjectId: string,
  modelId: string,
  embedding: Float32Array,
  evidence?: LivenessEvidence,
): Promise<EnvelopeT> {
  suite ??= createEnvelopeSuite();
  const sealed = await sealEmbedding(
    suite,
    { kid: challenge.envelopeKey.kid, publicKey: b64uDecode(challenge.envelopeKey.publicKey) },
    { purpose, subjectId, challengeId: challenge.challengeId, nonce: challenge.nonce, modelId },
    embedding,
    evidence,
  );
  return { kid: sealed.kid, enc: b64uEncode(sealed.enc), ciphertext: b64uEncode(sealed.ciphertext) };
}
