import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/paths.js";

interface SizeLimitResult {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

/**
 * The size budget of what a web app downloads before any model
 * (.size-limit.json, size-limit with esbuild: minified, gzip, ONNX Runtime
 * excluded since it loads as its own chunk). Runs on the built dist/ that
 * `npm test` makes first.
 */
describe("size budget (size-limit)", () => {
  it("keeps @facegate/client's browser entry within 40 kB gzip, and the elements within 45 kB", () => {
    const r = spawnSync(join(REPO, "node_modules/.bin/size-limit"), ["--json"], { cwd: REPO, encoding: "utf8" });
    const results = JSON.parse(r.stdout) as SizeLimitResult[];
    for (const x of results) console.log(`${x.name}: ${x.size} B (limit ${x.sizeLimit} B)`);
    expect(results.map((x) => x.name)).toHaveLength(2);
    for (const x of results) expect(x.size, x.name).toBeLessThanOrEqual(x.sizeLimit);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);
});
