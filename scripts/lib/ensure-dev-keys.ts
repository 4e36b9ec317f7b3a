import { execFileSync } from "node:child_process";
import { REPO_ROOT as REPO } from "./dev-server.js";

/**
 * The e2e and browser tests and the benchmarks run the worker exactly as
 * `npm start` does, so they need .dev.vars; generate it (as `npm start`
 * would) when missing.
 */
export function ensureDevKeys(): void {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/dev-keys.ts"], { cwd: REPO, stdio: "pipe" });
}
