import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Runs once, before any test project starts (vitest's globalSetup), so that
 * loading vitest.config.ts has no side effects (an editor or `vitest list`
 * builds nothing).
 *
 * wrangler.toml serves public/ as static assets, and workerd refuses to start
 * when that directory is missing (a fresh clone): the demo is built first
 * (the browser and e2e tests serve it too). The demo and the dev entry use
 * the workspace packages as an app would (their dist/): `npm test` builds
 * them first (pretest); a direct `npx vitest` on a fresh clone builds them here.
 */
export default function setup(): void {
  if (!existsSync("client/dist/index.js") || !existsSync("packages/relying-party/dist/index.js") || !existsSync("packages/react-native/dist/index.js")) {
    execFileSync("npm", ["run", "build", "--silent"], { stdio: "pipe" });
  }
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-demo.ts"], { stdio: "pipe" });
}
