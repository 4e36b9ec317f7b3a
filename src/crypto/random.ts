import { b64uEncode } from "../protocol/base64url.js";

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** n random bytes as unpadded base64url (challenge ids: 16, nonces: 32, template ids: 16). */
export function randomId(n: number): string {
  return b64uEncode(randomBytes(n));
}
