import { randomId } from "../crypto/random.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import type { LivenessAction, LivenessLevel } from "../protocol/liveness.js";
import { appendAudit } from "./outbox.js";
import type { ActorRef, IssuedChallenge, Refusal, SubjectRef } from "./types.js";

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
  liveness: string | null;
  action: string | null;
};

/** What a verify challenge asks the attempt to show (null: nothing beyond the face). */
export interface ChallengeLiveness {
  level: Exclude<LivenessLevel, "off">;
  action?: LivenessAction;
}

/**
 * Issues a challenge. Its issuance is audited once, when its life ends, not
 * now: a challenge that is presented is recorded by its attempt's audit row
 * (which consumes it, settle in subject-vault.ts), and one that never is gets
 * a row `unused:<purpose>:<why>` when it is deleted (retireUnused), dated
 * and attributed to its issuance. Every challenge leaves exactly one row, and
 * a login writes one audit row instead of two (each is billed several rows:
 * its outbox insert and delete here, D1's row with its index entries, and
 * its deletion by the audit retention).
 * So the row stores who asked for it; `issued_seq` orders challenges issued
 * within one millisecond (the table has no rowid).
 */
export function issueChallenge(
  sql: SqlStorage,
  who: ActorRef,
  purpose: EnvelopePurpose,
  kid: string,
  now: number,
  ttlMs: number,
  liveness: ChallengeLiveness | null = null,
): Omit<IssuedChallenge, "credentials"> {
  purgeChallenges(sql, now);
  retireUnused(
    sql,
    `challenge_id IN (
       SELECT challenge_id FROM challenges WHERE used_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC, issued_seq DESC LIMIT -1 OFFSET ?)`,
    [now, MAX_OPEN_CHALLENGES - 1],
    "evicted",
  );
  const issued = { challengeId: randomId(16), nonce: randomId(32), expiresAt: now + ttlMs };
  sql.exec(
    `INSERT INTO challenges (challenge_id, tenant, subject_id, purpose, nonce, kid, created_at, expires_at, liveness, action,
                             issued_seq, actor, client_id, issued_request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(issued_seq), 0) + 1 FROM challenges), ?, ?, ?)`,
    issued.challengeId,
    who.tenant,
    who.subjectId,
    purpose,
    issued.nonce,
    kid,
    now,
    issued.expiresAt,
    liveness?.level ?? null,
    liveness?.action ?? null,
    who.actor.sub,
    who.actor.clientId,
    who.actor.requestId,
  );
  return { ...issued, liveness };
}

type IssuanceRow = {
  challenge_id: string;
  tenant: string;
  subject_id: string;
  purpose: string;
  created_at: number;
  actor: string | null;
  client_id: string | null;
  issued_request_id: string | null;
};

/**
 * Deletes the challenges `where` selects, first appending for each one never
 * presented its audit row (see issueChallenge). A challenge from before
 * issuance was audited this way (no `actor`) had its row when issued.
 */
function retireUnused(sql: SqlStorage, where: string, params: unknown[], why: "expired" | "evicted" | "erased"): void {
  const unused = sql
    .exec<IssuanceRow>(
      `SELECT challenge_id, tenant, subject_id, purpose, created_at, actor, client_id, issued_request_id FROM challenges
       WHERE (${where}) AND used_at IS NULL AND actor IS NOT NULL`,
      ...params,
    )
    .toArray();
  for (const c of unused) {
    // actor and issued_request_id are written together (issueChallenge).
    const actor = { sub: c.actor!, clientId: c.client_id, requestId: c.issued_request_id! };
    appendAudit(sql, { tenant: c.tenant, subjectId: c.subject_id }, actor, "challenge", `unused:${c.purpose}:${why}`, c.created_at);
  }
  sql.exec(`DELETE FROM challenges WHERE ${where}`, ...params);
}

/**
 * What a presented challenge allows, without consuming it (the first half of
 * an attempt reads only). A refusal says whether the challenge is still there
 * to be consumed: an expired or wrong-purpose challenge is spent by being
 * presented, an unknown or used one has nothing left to spend.
 */
export type ChallengeCheck = { ok: true; nonce: string; kid: string; liveness: ChallengeLiveness | null } | (Refusal & { consume: boolean });

export function checkChallenge(sql: SqlStorage, who: SubjectRef, challengeId: string, purpose: EnvelopePurpose, now: number): ChallengeCheck {
  const row = sql
    .exec<ChallengeRow>(
      "SELECT tenant, subject_id, purpose, nonce, kid, expires_at, used_at, liveness, action FROM challenges WHERE challenge_id = ?",
      challengeId,
    )
    .toArray()[0];
  if (!row || row.tenant !== who.tenant || row.subject_id !== who.subjectId) {
    return { ok: false, code: "challenge-unknown", consume: false };
  }
  if (row.used_at !== null) return { ok: false, code: "challenge-used", consume: false };
  if (row.expires_at <= now) return { ok: false, code: "challenge-expired", consume: true };
  if (row.purpose !== purpose) return { ok: false, code: "challenge-purpose", consume: true };
  const level = row.liveness === "passive" || row.liveness === "active" ? row.liveness : null;
  const liveness: ChallengeLiveness | null = level ? { level, ...(row.action ? { action: row.action as LivenessAction } : {}) } : null;
  return { ok: true, nonce: row.nonce, kid: row.kid, liveness };
}

/**
 * Consumes the challenge with the outcome of its attempt and the request
 * that made it, in the caller's transaction: "consumed" and "has an outcome"
 * are one write. Returns false if it was consumed already (or is gone), so
 * of any number of concurrent presentations exactly one consumes it.
 */
export function consumeChallenge(sql: SqlStorage, challengeId: string, now: number, outcome: string, requestId: string): boolean {
  const cursor = sql.exec(
    `UPDATE challenges SET used_at = ?, completed_at = ?, outcome = ?, request_id = ?
     WHERE challenge_id = ? AND used_at IS NULL`,
    now,
    now,
    outcome,
    requestId,
    challengeId,
  );
  return cursor.rowsWritten === 1;
}

/** Whether the challenge can still be consumed; a refusal code otherwise. */
export function unconsumed(sql: SqlStorage, challengeId: string): "challenge-used" | "challenge-unknown" | null {
  const row = sql.exec<{ used_at: number | null }>("SELECT used_at FROM challenges WHERE challenge_id = ?", challengeId).toArray()[0];
  if (!row) return "challenge-unknown";
  return row.used_at === null ? null : "challenge-used";
}

/** Drops challenges past their grace period (auditing those never presented). */
export function purgeChallenges(sql: SqlStorage, now: number): void {
  retireUnused(sql, "expires_at + ? < ?", [CHALLENGE_GRACE_MS, now], "expired");
}

/** When the earliest challenge passes its grace period (for the vault's alarm), if any. */
export function challengesNextDue(sql: SqlStorage): number | null {
  const next = sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM challenges").one().next;
  return next === null ? null : next + CHALLENGE_GRACE_MS;
}

/** The consumed challenges, latest first, for the integrity report: does each carry its attempt's outcome? */
export function consumedChallenges(sql: SqlStorage): { outcome: string | null; requestId: string | null }[] {
  return sql
    .exec<{ outcome: string | null; request_id: string | null }>("SELECT outcome, request_id FROM challenges WHERE used_at IS NOT NULL ORDER BY used_at DESC")
    .toArray()
    .map((r) => ({ outcome: r.outcome, requestId: r.request_id }));
}

export function hasChallenges(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM challenges LIMIT 1").toArray().length > 0;
}

/** The erase: every challenge goes (those never presented are audited, before the erase's own row). */
export function clearChallenges(sql: SqlStorage): void {
  retireUnused(sql, "1 = 1", [], "erased");
}
