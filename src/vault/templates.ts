import { open, seal } from "../crypto/aead.js";
import { randomId } from "../crypto/random.js";
import { templateAad } from "../crypto/template-aad.js";
import { bytesToEmbedding, embeddingToBytes } from "../protocol/envelope.js";
import { blob } from "./schema.js";
import { IntegrityError } from "./integrity.js";
import type { SubjectRef } from "./types.js";

/**
 * Sealed templates: the float32 embedding under XChaCha20-Poly1305 with the
 * subject key, AAD binding tenant, subject, template id and model id. A row
 * copied to another subject's vault, renamed, or relabelled with another model
 * does not open.
 */
export function templateCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM templates").one().n;
}

export function hasTemplates(sql: SqlStorage, modelId: string): boolean {
  return sql.exec("SELECT 1 FROM templates WHERE model_id = ? LIMIT 1", modelId).toArray().length > 0;
}

export function insertTemplate(
  sql: SqlStorage,
  dek: Uint8Array,
  who: SubjectRef,
  modelId: string,
  embedding: Float32Array,
  now: number,
): string {
  const templateId = randomId(16);
  const sealed = seal(dek, embeddingToBytes(embedding), templateAad(who.tenant, who.subjectId, templateId, modelId));
  sql.exec(
    "INSERT INTO templates (template_id, model_id, sealed, created_at) VALUES (?, ?, ?, ?)",
    templateId,
    modelId,
    blob(sealed),
    now,
  );
  return templateId;
}

/** Every template of this model, opened. Fails closed on any row that does not open. */
export function openTemplates(
  sql: SqlStorage,
  dek: Uint8Array,
  who: SubjectRef,
  modelId: string,
  dim: number,
): Float32Array[] {
  const rows = sql
    .exec<{ template_id: string; sealed: ArrayBuffer }>(
      "SELECT template_id, sealed FROM templates WHERE model_id = ? ORDER BY created_at, template_id",
      modelId,
    )
    .toArray();
  return rows.map((row) => {
    const aad = templateAad(who.tenant, who.subjectId, row.template_id, modelId);
    const plaintext = open(dek, new Uint8Array(row.sealed), aad);
    const embedding = plaintext ? bytesToEmbedding(plaintext, dim) : null;
    plaintext?.fill(0);
    if (!embedding) throw new IntegrityError("sealed template does not open");
    return embedding;
  });
}
