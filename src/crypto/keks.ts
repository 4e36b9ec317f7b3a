import type { Env } from "../env.js";
import { open, seal } from "./aead.js";
import { parseJsonSecret, TemplateKeksSecret } from "./secrets.js";
import { subjectKeyAad } from "./template-aad.js";

/**
 * Versioned key-encryption keys (TEMPLATE_KEKS). The first entry wraps new
 * and rewrapped subject keys; older versions only unwrap, until every subject
 * key has been rewrapped and the version can be dropped.
 */
export interface Kek {
  version: number;
  key: Uint8Array;
}

export function keks(env: Env): Kek[] {
  return parseJsonSecret("TEMPLATE_KEKS", env.TEMPLATE_KEKS, TemplateKeksSecret);
}

export function currentKek(env: Env): Kek {
  return keks(env)[0]!;
}

export interface SubjectRef {
  tenant: string;
  subjectId: string;
}

export function wrapSubjectKey(kek: Kek, who: SubjectRef, dek: Uint8Array): Uint8Array {
  return seal(kek.key, dek, subjectKeyAad(who.tenant, who.subjectId, kek.version));
}

/** The subject key, or null if this version is unknown or the wrapped key does not open for this subject. */
export function unwrapSubjectKey(env: Env, who: SubjectRef, version: number, wrapped: Uint8Array): Uint8Array | null {
  const kek = keks(env).find((k) => k.version === version);
  if (!kek) return null;
  const dek = open(kek.key, wrapped, subjectKeyAad(who.tenant, who.subjectId, version));
  return dek && dek.length === 32 ? dek : null;
}
