import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { QUIET_WRANGLER_ENV, REPO_ROOT } from "../../scripts/lib/dev-server.js";

/**
 * What `wrangler deploy` would upload, built offline (`--dry-run`): the
 * production worker holds no demo relying party and no dev token issuer;
 * the dev entry (`--env dev`) does, which shows the check would see them.
 */
function bundle(envName: string): string {
  const out = mkdtempSync(join(tmpdir(), "facegate-deploy-"));
  const r = spawnSync(join(REPO_ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--env", envName, "--outdir", out], {
    cwd: REPO_ROOT,
    // npm test built the packages and public/ before any test (pretest, vitest.config.ts): the
    // [build] step (scripts/build-assets.mjs) would only rebuild them under the other tests.
    env: { ...process.env, ...QUIET_WRANGLER_ENV, FACEGATE_ASSETS_FRESH: "1" },
    encoding: "utf8",
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const file = join(out, envName === "dev" ? "worker.js" : "index.js");
  const code = readFileSync(file, "utf8");
  console.log(
    `wrangler deploy --dry-run${envName ? ` --env ${envName}` : ""}: ${(statSync(file).size / 1024).toFixed(0)} KiB, ${(gzipSync(code).length / 1024).toFixed(0)} KiB gzip`,
  );
  return code;
}

// Strings only the demo relying party has (its problem types, its Durable Object, its token route).
const DEMO_MARKERS = ["urn:facegate:demo:", "DemoRpState", "demo-disabled", "fg_demo_login"];

describe("wrangler deploy --dry-run", () => {
  it("the production bundle has no demo relying party or dev issuer", () => {
    const prod = bundle("");
    for (const m of DEMO_MARKERS) expect(prod, m).not.toContain(m);
  }, 120_000);

  it("the dev bundle has them (so the check above can see them)", () => {
    const dev = bundle("dev");
    for (const m of DEMO_MARKERS) expect(dev, m).toContain(m);
  }, 120_000);
});
