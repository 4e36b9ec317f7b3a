import type { WireEnvelope } from "../crypto/open-envelope.js";
import { b64uTryDecode } from "../protocol/base64url.js";
import type { EnvelopeT } from "../protocol/schemas.js";

/** The envelope's binary fields (validated as canonical base64url at the edge); null if they do not decode. */
export function decodeEnvelope(e: EnvelopeT): WireEnvelope | null {
  const enc = b64uTryDecode(e.enc);
  const ciphertext = b64uTryDecode(e.ciphertext);
  return enc && ciphertext ? { kid: e.kid, enc, ciphertext } : null;
}
