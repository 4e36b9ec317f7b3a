import { open, seal } from "../crypto/aead.js";
import { randomId } from "../crypto/random.js";
import { templateAad } from "../crypto/template-aad.js";
import { bytesToEmbedding, embeddingToBytes } from "../protocol/envelope.js";
import { blob } from "./schema.js";
import { IntegrityError } from "./integrity.js";
import type { SubjectRef, TemplateInfo } from "./types.js";

/**
 * Sealed templates: the float32 embedding under XChaCha20-Poly1305 with the
 * subject key, AAD binding tenant, subject, template id and model id. A row
 * copied to another subject's vault, renamed, or relabelled with another model
 * does not open.
 *
 * The first template of a model is the subject's *anchor* (`anchor = 1`):
 * every decision compares with it (src/vault/match-rule.ts). It is never
 * replaced, and deleting it alone is refused: it goes only with the whole
 * face (DELETE of the subject).
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
): { templateId: string; anchor: boolean } {
  const templateId = randomId(16);
  const anchor = !hasTemplates(sql, modelId);
  const sealed = seal(dek, embeddingToBytes(embedding), templateAad(who.tenant, who.subjectId, templateId, modelId));
  sql.exec(
    "INSERT INTO templates (template_id, model_id, sealed, created_at, anchor) VALUES (?, ?, ?, ?, ?)",
    templateId,
    modelId,
    blob(sealed),
    now,
    anchor ? 1 : 0,
  );
  return { templateId, anchor };
}

export interface OpenedTemplates {
  anchor: Float32Array;
  /** Templates added after the anchor (each matched it at the stricter threshold when it was added). */
  others: Float32Array[];
}

/** The model's templates, opened. Fails closed on any row that does not open, and on a set without an anchor. */
export function openTemplates(sql: SqlStorage, dek: Uint8Array, who: SubjectRef, modelId: string, dim: number): OpenedTemplates | null {
  const rows = sql
    .exec<{ template_id: string; sealed: ArrayBuffer; anchor: number }>(
      "SELECT template_id, sealed, anchor FROM templates WHERE model_id = ? ORDER BY created_at, template_id",
      modelId,
    )
    .toArray();
  if (rows.length === 0) return null;
  let anchor: Float32Array | null = null;
  const others: Float32Array[] = [];
  for (const row of rows) {
    const aad = templateAad(who.tenant, who.subjectId, row.template_id, modelId);
    const plaintext = open(dek, new Uint8Array(row.sealed), aad);
    const embedding = plaintext ? bytesToEmbedding(plaintext, dim) : null;
    plaintext?.fill(0);
    if (!embedding) throw new IntegrityError("sealed template does not open");
    if (row.anchor === 1 && anchor === null) anchor = embedding;
    else others.push(embedding);
  }
  if (!anchor) throw new IntegrityError("templates without an anchor");
  return { anchor, others };
}

/** What GET /v1/subjects/{id}/templates shows: ids, times and models, never a vector. */
export function listTemplates(sql: SqlStorage): TemplateInfo[] {
  return sql
    .exec<{ template_id: string; model_id: string; created_at: number; anchor: number }>(
      "SELECT template_id, model_id, created_at, anchor FROM templates ORDER BY created_at, template_id",
    )
    .toArray()
    .map((r) => ({ templateId: r.template_id, modelId: r.model_id, createdAt: r.created_at, anchor: r.anchor === 1 }));
}

/** Deletes one non-anchor template. */
export function deleteTemplate(sql: SqlStorage, templateId: string): "deleted" | "not-found" | "anchor" {
  const row = sql.exec<{ anchor: number }>("SELECT anchor FROM templates WHERE template_id = ?", templateId).toArray()[0];
  if (!row) return "not-found";
  if (row.anchor === 1) return "anchor";
  sql.exec("DELETE FROM templates WHERE template_id = ?", templateId);
  return "deleted";
}

export function clearTemplates(sql: SqlStorage): void {
  sql.exec("DELETE FROM templates");
}

/** For the integrity report: how many templates there are, and how many open under `dek` (none without one). */
export function templatesOpening(sql: SqlStorage, dek: Uint8Array | null, who: SubjectRef): { templates: number; opening: number } {
  const rows = sql.exec<{ template_id: string; model_id: string; sealed: ArrayBuffer }>("SELECT template_id, model_id, sealed FROM templates").toArray();
  let opening = 0;
  for (const t of rows) {
    if (!dek) break;
    const plain = open(dek, new Uint8Array(t.sealed), templateAad(who.tenant, who.subjectId, t.template_id, t.model_id));
    if (plain) opening += 1;
    plain?.fill(0);
  }
  return { templates: rows.length, opening };
}
