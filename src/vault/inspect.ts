import type { Env } from "../env.js";
import { open } from "../crypto/aead.js";
import { unwrapSubjectKey } from "../crypto/keks.js";
import { templateAad } from "../crypto/template-aad.js";
import { lockedUntil } from "./lockout.js";
import type { IntegrityReport, SubjectRef } from "./types.js";

/**
 * Read-only consistency check of one vault (the crash test and operators use
 * it): does every template open under the subject key, does every consumed
 * challenge carry the outcome of its attempt. Nothing is rewrapped or
 * changed, and only counts leave this function.
 */
export function inspectVault(
  sql: SqlStorage,
  env: Env,
  who: SubjectRef,
  now: number,
): Omit<IntegrityReport, "outboxPending"> {
  const consent = sql.exec("SELECT 1 FROM consent").toArray().length > 0;
  const keyRow = sql
    .exec<{ kek_version: number; wrapped: ArrayBuffer }>("SELECT kek_version, wrapped FROM subject_key")
    .toArray()[0];
  const dek = keyRow ? unwrapSubjectKey(env, who, keyRow.kek_version, new Uint8Array(keyRow.wrapped)) : null;
  const templates = sql
    .exec<{ template_id: string; model_id: string; sealed: ArrayBuffer }>("SELECT template_id, model_id, sealed FROM templates")
    .toArray();
  let opening = 0;
  for (const t of templates) {
    if (!dek) break;
    const plain = open(dek, new Uint8Array(t.sealed), templateAad(who.tenant, who.subjectId, t.template_id, t.model_id));
    if (plain) opening += 1;
    plain?.fill(0);
  }
  dek?.fill(0);
  const consumed = sql
    .exec<{ outcome: string | null; request_id: string | null }>(
      "SELECT outcome, request_id FROM challenges WHERE used_at IS NOT NULL ORDER BY used_at DESC",
    )
    .toArray();
  return {
    consent,
    subjectKey: keyRow !== undefined,
    kekVersion: keyRow?.kek_version ?? null,
    templates: templates.length,
    templatesOpening: opening,
    templatesWithoutKey: keyRow ? 0 : templates.length,
    challengesConsumed: consumed.length,
    consumedWithoutOutcome: consumed.filter((c) => c.outcome === null || c.request_id === null).length,
    consumedRequestIds: consumed.flatMap((c) => (c.request_id ? [c.request_id] : [])).slice(0, 200),
    failures: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM failures").one().n,
    lockedUntil: lockedUntil(sql, now),
  };
}
