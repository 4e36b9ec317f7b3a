import { clearChallenges, hasChallenges } from "./challenges.js";
import { clearConsent, hasConsent } from "./consent.js";
import { clearCredentials, hasCredentials } from "./credentials.js";
import { clearLockout, hasLockoutState } from "./lockout.js";
import { clearMeta, identity } from "./meta.js";
import { clearRecentProbes, hasRecentProbes } from "./recent-probes.js";
import { clearSubjectKey, hasSubjectKey } from "./subject-key.js";
import { clearTemplates, templateCount } from "./templates.js";

/**
 * Everything a vault holds of its subject, each part cleared and tested by
 * the module that owns its tables: one list, so the erase cannot shred less
 * than the release of storage checks. A module that adds a table of the
 * subject's state adds its part here. (The outboxes are not the subject's
 * state: they go to D1 first.)
 */
const PARTS: { clear: (sql: SqlStorage) => void; held: (sql: SqlStorage) => boolean }[] = [
  { clear: clearMeta, held: (sql) => identity(sql) !== null },
  { clear: clearConsent, held: hasConsent },
  { clear: clearSubjectKey, held: hasSubjectKey },
  { clear: clearTemplates, held: (sql) => templateCount(sql) > 0 },
  { clear: clearRecentProbes, held: hasRecentProbes },
  { clear: clearCredentials, held: hasCredentials },
  { clear: clearChallenges, held: hasChallenges },
  { clear: clearLockout, held: hasLockoutState },
];

/** The erase and the retention purge: every part, inside the caller's transaction. */
export function shredSubject(sql: SqlStorage): void {
  for (const part of PARTS) part.clear(sql);
}

/** Nothing of the subject is left, not even a challenge or a counter (the storage may be given back). */
export function holdsNothing(sql: SqlStorage): boolean {
  return PARTS.every((part) => !part.held(sql));
}

/** What an erase reports as deleted: a consent, a template or a key (a challenge or a counter alone is not data). */
export function holdsData(sql: SqlStorage): boolean {
  return hasConsent(sql) || templateCount(sql) > 0 || hasSubjectKey(sql);
}
