import { b64uDecode, b64uEncode } from "../../../src/protocol/base64url.js";
import { sealWith, type EnvelopePurpose } from "../../../src/protocol/envelope-wire.js";
import type { EnvelopeHpke } from "../../../src/protocol/hpke/types.js";
import type { LivenessEvidence } from "../../../src/protocol/liveness.js";
import type { EnvelopeT } from "../../../src/protocol/schemas.js";
import type { Challenge } from "./types.js";

/**
 * Seals an embedding for one challenge, exactly as the wire contract says:
 * HPKE base mode to the challenge's envelope key, AAD binding purpose,
 * subject, challenge, nonce and model. The embedding never leaves the device
 * in any other form. `hpke` is the implementation of the suite the platform
 * has (envelope-webcrypto.ts in browsers and Node; the noble one in React Native).
 */
export async function sealForChallenge(
  hpke: EnvelopeHpke<unknown>,
  challenge: Challenge,
  purpose: EnvelopePurpose,
  subjectId: string,
  modelId: string,
  embedding: Float32Array,
  evidence?: LivenessEvidence,
): Promise<EnvelopeT> {
  const sealed = await sealWith(
    hpke,
    { kid: challenge.envelopeKey.kid, publicKey: b64uDecode(challenge.envelopeKey.publicKey) },
    { purpose, subjectId, challengeId: challenge.challengeId, nonce: challenge.nonce, modelId },
    embedding,
    evidence,
  );
  return { kid: sealed.kid, enc: b64uEncode(sealed.enc), ciphertext: b64uEncode(sealed.ciphertext) };
}
