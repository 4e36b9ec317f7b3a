import { base64urlnopad } from "@scure/base";

/**
 * Every binary value on the wire is base64url without padding (RFC 4648 §5).
 * @scure/base is strict: it refuses padding, the standard alphabet and
 * non-canonical trailing bits, so one value has exactly one encoding.
 */
export function b64uEncode(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Decodes base64url (no padding); throws on anything else. */
export function b64uDecode(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}

/** Decodes or returns null: for validators that report their own error. */
export function b64uTryDecode(text: string): Uint8Array | null {
  try {
    return base64urlnopad.decode(text);
  } catch {
    return null;
  }
}

/** Length in characters of `n` bytes encoded as unpadded base64url. */
export function b64uLength(n: number): number {
  return Math.ceil((n * 4) / 3);
}
