import type { Env } from "./env.js";
import { purgeAuditLog } from "./audit/audit-log.js";
import { policyOf } from "./config/policy.js";
import { epochRing, maintainEpochs } from "./crypto/key-epochs.js";
import { dueSubjects, staleKeySubjects, subjectsUnderEpoch, type RegistryRef } from "./registry/subject-registry.js";
import { vaultFor } from "./vault/address.js";
import { systemActor } from "./vault/subject-vault.js";

/** Vaults handled per cron run (the rest waits an hour); calls in flight at once. */
const RETENTION_BATCH = 200;
const REWRAP_BATCH = 1000;
const CONCURRENCY = 8;

/**
 * The hourly cron (wrangler.toml [triggers]).
 *
 * Retention: a worker cannot enumerate Durable Objects, so the D1 subject
 * registry (written by each vault before its consent call returns) names the
 * subjects whose retainUntil has passed as of `scheduledTime`; each vault then
 * re-checks its own authoritative retainUntil and, if due, shreds itself after
 * flushing its audit outbox with a `purge` row. Its expired challenges go at
 * the same time (every vault's own alarm purges those too).
 *
 * Key epochs (src/crypto/key-epochs.ts): a batch of subjects still registered
 * under an older epoch is rewrapped on each run; then a new epoch starts when
 * the current one is KEY_EPOCH_DAYS old, and an old epoch that no registered
 * subject depends on any more, KEY_EPOCH_GRACE_DAYS after it stopped being
 * current, is destroyed. That is what bounds how long a deleted subject's
 * backups stay openable (docs/SECURITY.md, "Erasure").
 *
 * Audit retention: rows older than AUDIT_RETENTION_DAYS are deleted.
 *
 * Logs counts only.
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const runId = crypto.randomUUID();
  const now = controller.scheduledTime;
  const policy = policyOf(env);
  const due = await dueSubjects(env.DB, now, RETENTION_BATCH);
  const retention = await each(due, (s) =>
    vaultFor(env, s.tenant, s.subjectId)
      .purgeIfDue({ ...s, actor: systemActor("retention", runId) })
      .then((r) => r.purged),
  );
  const current = (await epochRing(env, now, { fresh: true })).current.epoch;
  const { subjects: stale } = await staleKeySubjects(env.DB, current, REWRAP_BATCH);
  const rewrap = await each(stale, (s) =>
    vaultFor(env, s.tenant, s.subjectId)
      .rewrap({ ...s, actor: systemActor("rewrap", runId) })
      .then((r) => r.rewrapped),
  );
  const epochs = await maintainEpochs(env, now, { epochDays: policy.keyEpochDays, graceDays: policy.keyEpochGraceDays }, (epoch) =>
    subjectsUnderEpoch(env.DB, epoch),
  );
  const auditRowsPurged = (await purgeAuditLog(env.DB, now, policy.auditRetentionDays)).deleted;
  console.log(
    JSON.stringify({
      cron: controller.cron,
      at: new Date(now).toISOString(),
      retention: { due: due.length, ...retention },
      rewrap: { stale: stale.length, ...rewrap },
      epochs,
      auditRowsPurged,
    }),
  );
}

/** Runs `fn` over the subjects with bounded concurrency; one vault's failure does not stop the rest. */
async function each(subjects: RegistryRef[], fn: (s: RegistryRef) => Promise<boolean>): Promise<{ done: number; skipped: number; failed: number }> {
  const counts = { done: 0, skipped: 0, failed: 0 };
  for (let i = 0; i < subjects.length; i += CONCURRENCY) {
    const results = await Promise.allSettled(subjects.slice(i, i + CONCURRENCY).map(fn));
    for (const r of results) {
      if (r.status === "rejected") counts.failed += 1;
      else if (r.value) counts.done += 1;
      else counts.skipped += 1;
    }
  }
  return counts;
}
