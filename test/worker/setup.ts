import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Storage is isolated per test file; the audit schema is applied to each.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
