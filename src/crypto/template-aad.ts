import { PROTOCOL } from "../protocol/version.js";

/**
 * Associated data of the two storage ciphertexts. Every field comes from a
 * closed alphabet without `|` (tenant, subject and model patterns in
 * protocol/ids.ts; template ids are base64url; versions are integers), so the
 * joined string is unambiguous.
 */
const utf8 = new TextEncoder();

/** A sealed template opens only for this tenant, subject, template id and model. */
export function templateAad(tenant: string, subjectId: string, templateId: string, modelId: string): Uint8Array {
  return utf8.encode([PROTOCOL, "template", tenant, subjectId, templateId, modelId].join("|"));
}

/** A subject key wrapped before key epochs (directly under a root KEK version) opens only for this tenant, subject and version. */
export function subjectKeyAad(tenant: string, subjectId: string, kekVersion: number): Uint8Array {
  return utf8.encode([PROTOCOL, "subject-key", tenant, subjectId, String(kekVersion)].join("|"));
}

/** A subject key wrapped under a key epoch opens only for this tenant, subject and epoch. */
export function subjectKeyEpochAad(tenant: string, subjectId: string, epoch: number): Uint8Array {
  return utf8.encode([PROTOCOL, "subject-key-epoch", tenant, subjectId, String(epoch)].join("|"));
}
