import { createApp } from "./app.js";
import type { Env } from "./env.js";
import { scheduled } from "./scheduled.js";

/**
 * The production worker (`wrangler deploy`): the API and the cron, nothing
 * else. The demo relying party and its dev token issuer are in the dev entry
 * (demo/worker.ts, `wrangler dev --env dev`), which this bundle never imports.
 */
const app = createApp();

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;

export { SubjectVault } from "./vault/subject-vault.js";
