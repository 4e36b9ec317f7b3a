/**
 * `npm start`: everything a fresh clone needs, then the real worker on
 * http://127.0.0.1:8787 (wrangler dev on workerd, local D1 and Durable
 * Object state under .wrangler/state), quiet and offline.
 *
 * 1. local secrets in .dev.vars.dev, generated once (scripts/dev-keys.ts);
 * 2. the workspace packages (@facegate/client, @facegate/relying-party: the demo uses them as an app would);
 * 3. the demo's static files and the models in public/ (scripts/build-demo.ts);
 * 4. D1 migrations applied to the local database;
 * 5. wrangler dev of the dev entry (`--env dev`: demo/worker.ts, the API
 *    plus the demo relying party; loopback only).
 */
import { spawnSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { QUIET_WRANGLER_ENV, REPO_ROOT } from "./lib/dev-server.js";

const env = { ...process.env, ...QUIET_WRANGLER_ENV };
const wrangler = join(REPO_ROOT, "node_modules/.bin/wrangler");

function step(what: string, cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write(r.stdout?.toString() ?? "");
    console.error(`npm start: ${what} failed`);
    process.exit(r.status ?? 1);
  }
}

step("generating local secrets", process.execPath, ["--import", "tsx", "scripts/dev-keys.ts"]);
step("building the packages", "npm", ["run", "build", "--silent"]);
if (existsSync(join(REPO_ROOT, "scripts/build-demo.ts"))) {
  step("building the demo", process.execPath, ["--import", "tsx", "scripts/build-demo.ts"]);
}
step("applying D1 migrations", wrangler, ["d1", "migrations", "apply", "DB", "--local", "--env", "dev"]);

const port = process.env.PORT ?? "8787";
console.log(`facegate: starting the worker on http://127.0.0.1:${port} (demo at /demo/, API docs at /docs)`);
const child = spawn(wrangler, ["dev", "--env", "dev", "--ip", "127.0.0.1", "--port", port], { cwd: REPO_ROOT, env, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
