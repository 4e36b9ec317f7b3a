import { app } from "./app.js";
import type { Env } from "./env.js";
import { scheduled } from "./scheduled.js";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;

export { SubjectVault } from "./vault/subject-vault.js";
