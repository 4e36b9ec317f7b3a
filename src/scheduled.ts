import type { Env } from "./env.js";

/**
 * The hourly cron (wrangler.toml [triggers]). Expired challenges are purged
 * by each SubjectVault's own alarm (set when a challenge is issued): a worker
 * cannot enumerate Durable Objects, so a central sweep would need an index of
 * every subject. The retention purge (consents past `retainUntil`) will need
 * that index and is not implemented yet; this handler only records that it ran.
 */
export async function scheduled(controller: ScheduledController, _env: Env, _ctx: ExecutionContext): Promise<void> {
  console.log(JSON.stringify({ cron: controller.cron, at: new Date(controller.scheduledTime).toISOString() }));
}
