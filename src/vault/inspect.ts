import type { Env } from "../env.js";
import type { EpochRing } from "../crypto/key-epochs.js";
import { open } from "../crypto/aead.js";
import { templateAad } from "../crypto/template-aad.js";
import { consumedChallenges } from "./challenges.js";
import { currentLock, failuresToday } from "./lockout.js";
import { subjectKeyRow, unwrapKeyRow } from "./subject-key.js";
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
  ring: EpochRing,
  who: SubjectRef,
  now: number,
): Omit<IntegrityReport, "outboxPending"> {
  const consent = sql.exec("SELECT 1 FROM consent").toArray().length > 0;
  const keyRow = subjectKeyRow(sql);
  const dek = keyRow ? unwrapKeyRow(env, ring, who, keyRow) : null;
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
  const consumed = consumedChallenges(sql);
  const lock = currentLock(sql, now);
  return {
    consent,
    subjectKey: keyRow !== undefined,
    keyEpoch: keyRow?.epoch ?? null,
    templates: templates.length,
    templatesOpening: opening,
    templatesWithoutKey: keyRow ? 0 : templates.length,
    challengesConsumed: consumed.length,
    consumedWithoutOutcome: consumed.filter((c) => c.outcome === null || c.requestId === null).length,
    consumedRequestIds: consumed.flatMap((c) => (c.requestId ? [c.requestId] : [])).slice(0, 200),
    failures: failuresToday(sql, now),
    lockedUntil: lock?.until ?? null,
    unlockRequired: lock?.hard ?? false,
  };
}
