import type { Env } from "../env.js";
import type { EpochRing } from "../crypto/key-epochs.js";
import { consumedChallenges } from "./challenges.js";
import { hasConsent } from "./consent.js";
import { currentLock, failuresToday } from "./lockout.js";
import { subjectKeyRow, unwrapKeyRow } from "./subject-key.js";
import { templatesOpening } from "./templates.js";
import type { IntegrityReport, SubjectRef } from "./types.js";

/**
 * Read-only consistency check of one vault (the crash test and operators use
 * it): does every template open under the subject key, does every consumed
 * challenge carry the outcome of its attempt. Nothing is rewrapped or
 * changed, and only counts leave this function.
 */
export function inspectVault(sql: SqlStorage, env: Env, ring: EpochRing, who: SubjectRef, now: number): Omit<IntegrityReport, "outboxPending"> {
  const keyRow = subjectKeyRow(sql);
  const dek = keyRow ? unwrapKeyRow(env, ring, who, keyRow) : null;
  const { templates, opening } = templatesOpening(sql, dek, who);
  dek?.fill(0);
  const consumed = consumedChallenges(sql);
  const lock = currentLock(sql, now);
  return {
    consent: hasConsent(sql),
    subjectKey: keyRow !== undefined,
    keyEpoch: keyRow?.epoch ?? null,
    templates,
    templatesOpening: opening,
    templatesWithoutKey: keyRow ? 0 : templates,
    challengesConsumed: consumed.length,
    consumedWithoutOutcome: consumed.filter((c) => c.outcome === null || c.requestId === null).length,
    consumedRequestIds: consumed.flatMap((c) => (c.requestId ? [c.requestId] : [])).slice(0, 200),
    failures: failuresToday(sql, now),
    lockedUntil: lock?.until ?? null,
    unlockRequired: lock?.hard ?? false,
  };
}
