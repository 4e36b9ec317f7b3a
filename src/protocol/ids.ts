/**
 * Identifier rules, checked once at the edge of the API (route params, bodies,
 * token claims) and shared with clients so they can validate before sending.
 *
 * Subject ids are opaque to us but end up in Durable Object names, the HPKE AAD
 * (where `|` separates fields) and audit rows, so the alphabet is closed: ASCII
 * letters, digits and `. _ @ + -`, starting with a letter or digit (no `..`,
 * `/`, `|`, whitespace, control or non-ASCII characters can appear).
 */
export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** Tenants partition everything; the token's `tenant` claim, `default` when absent. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const DEFAULT_TENANT = "default";

/** Model ids name an entry of models/manifest.json. */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** A pipeline version as the SDK reports it (`facegate-pipeline/5:<sha256 prefixes>:<config fingerprint>`). */
export const PIPELINE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/:+-]{0,159}$/;

/** Key ids (HPKE envelope keys, assertion keys). */
export const KID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Challenge ids are 16 random bytes; nonces 32 (base64url, unpadded). */
export const CHALLENGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Template ids: 16 random bytes (base64url, unpadded). */
export const TEMPLATE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A relying party's login nonce: opaque, printable, bounded. */
export const LOGIN_NONCE_PATTERN = /^[A-Za-z0-9._~-]{8,128}$/;

/** Consent policy versions, e.g. `2026-11` or `v3`. */
export const POLICY_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export function isSubjectId(value: string): boolean {
  return SUBJECT_ID_PATTERN.test(value);
}
