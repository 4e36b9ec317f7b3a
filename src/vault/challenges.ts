import { randomId } from "../crypto/random.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import type { IssuedChallenge, Refusal, SubjectRef } from "./types.js";

/** Expired challenges are kept this long so a late client hears `challenge-expired`, not `unknown`. */
export const CHALLENGE_GRACE_MS = 10 * 60_000;
/** Unused, unexpired challenges a subject may have at once; the oldest make room. */
const MAX_OPEN_CHALLENGES = 64;

type ChallengeRow = {
  tenant: string;
  subject_id: string;
  purpose: string;
  nonce: string;
  kid: string;
  expires_at: number;
  used_at: number | null;
};

export function issueChallenge(
  sql: SqlStorage,
  who: SubjectRef,
  purpose: EnvelopePurpose,
  kid: string,
  now: number,
  ttlMs: number,
): IssuedChallenge {
  sql.exec("DELETE FROM challenges WHERE expires_at + ? < ?", CHALLENGE_GRACE_MS, now);
  sql.exec(
    `DELETE FROM challenges WHERE challenge_id IN (
       SELECT challenge_id FROM challenges WHERE used_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
    now,
    MAX_OPEN_CHALLENGES - 1,
  );
  const issued = { challengeId: randomId(16), nonce: randomId(32), expiresAt: now + ttlMs };
  sql.exec(
    `INSERT INTO challenges (challenge_id, tenant, subject_id, purpose, nonce, kid, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    issued.challengeId,
    who.tenant,
    who.subjectId,
    purpose,
    issued.nonce,
    kid,
    now,
    issued.expiresAt,
  );
  return issued;
}

/**
 * Consumes a challenge: the first presentation marks it used, whatever happens
 * next, so an envelope can be tried exactly once. Then refuses it if it is
 * expired or for another purpose. Synchronous: two concurrent presentations
 * cannot both see it unused.
 */
export function consumeChallenge(
  sql: SqlStorage,
  who: SubjectRef,
  challengeId: string,
  purpose: EnvelopePurpose,
  now: number,
): { ok: true; nonce: string; kid: string } | Refusal {
  const row = sql
    .exec<ChallengeRow>(
      "SELECT tenant, subject_id, purpose, nonce, kid, expires_at, used_at FROM challenges WHERE challenge_id = ?",
      challengeId,
    )
    .toArray()[0];
  if (!row || row.tenant !== who.tenant || row.subject_id !== who.subjectId) return { ok: false, code: "challenge-unknown" };
  if (row.used_at !== null) return { ok: false, code: "challenge-used" };
  sql.exec("UPDATE challenges SET used_at = ? WHERE challenge_id = ?", now, challengeId);
  if (row.expires_at <= now) return { ok: false, code: "challenge-expired" };
  if (row.purpose !== purpose) return { ok: false, code: "challenge-purpose" };
  return { ok: true, nonce: row.nonce, kid: row.kid };
}

/**
 * The second half of an attempt may run once per consumed challenge: true
 * exactly once, for a challenge that was consumed for this purpose.
 */
export function claimCompletion(sql: SqlStorage, challengeId: string, purpose: EnvelopePurpose, now: number): boolean {
  const cursor = sql.exec(
    `UPDATE challenges SET completed_at = ?
     WHERE challenge_id = ? AND purpose = ? AND used_at IS NOT NULL AND completed_at IS NULL`,
    now,
    challengeId,
    purpose,
  );
  return cursor.rowsWritten === 1;
}

/** Drops challenges past their grace period; returns when the next one will be due, if any. */
export function purgeChallenges(sql: SqlStorage, now: number): number | null {
  sql.exec("DELETE FROM challenges WHERE expires_at + ? < ?", CHALLENGE_GRACE_MS, now);
  const next = sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM challenges").one().next;
  return next === null ? null : next + CHALLENGE_GRACE_MS;
}
