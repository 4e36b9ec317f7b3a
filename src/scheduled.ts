import type { Env } from "./env.js";
import { currentKek } from "./crypto/keks.js";
import { dueSubjects, staleKekSubjects, type RegistryRef } from "./retention/registry.js";
import { vaultFor } from "./vault/stub.js";
import { systemActor } from "./vault/subject-vault.js";

/** Vaults handled per cron run (the rest waits an hour); calls in flight at once. */
const RETENTION_BATCH = 200;
const REWRAP_BATCH = 100;
const CONCURRENCY = 8;

/**
 * The hourly cron (wrangler.toml [triggers]).
 *
 * Retention: a worker cannot enumerate Durable Objects, so the D1 subject
 * registry (kept by each vault's outbox) names the subjects whose
 * retainUntil has passed as of `scheduledTime`; each vault then re-checks its
 * own authoritative retainUntil and, if due, shreds itself after flushing its
 * audit outbox with a `purge` row. Its expired challenges go at the same time
 * (every vault's own alarm purges those too).
 *
 * KEK rotation: a batch of subjects still registered under an older KEK is
 * rewrapped on each run, so an old KEK version stops being needed without an
 * operator walking every subject (POST /v1/admin/rewrap does it on demand).
 *
 * Logs counts only.
 */
export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const runId = crypto.randomUUID();
  const due = await dueSubjects(env.DB, controller.scheduledTime, RETENTION_BATCH);
  const retention = await each(due, (s) =>
    vaultFor(env, s.tenant, s.subjectId)
      .purgeIfDue({ ...s, actor: systemActor("retention", runId) })
      .then((r) => r.purged),
  );
  const { subjects: stale } = await staleKekSubjects(env.DB, currentKek(env).version, REWRAP_BATCH);
  const rewrap = await each(stale, (s) =>
    vaultFor(env, s.tenant, s.subjectId)
      .rewrap({ ...s, actor: systemActor("rewrap", runId) })
      .then((r) => r.rewrapped),
  );
  console.log(
    JSON.stringify({
      cron: controller.cron,
      at: new Date(controller.scheduledTime).toISOString(),
      retention: { due: due.length, ...retention },
      rewrap: { stale: stale.length, ...rewrap },
    }),
  );
}

/** Runs `fn` over the subjects with bounded concurrency; one vault's failure does not stop the rest. */
async function each(
  subjects: RegistryRef[],
  fn: (s: RegistryRef) => Promise<boolean>,
): Promise<{ done: number; skipped: number; failed: number }> {
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
