import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../../scripts/lib/shared-data.js";

interface SizeLimitResult {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

/**
 * The size budgets (.size-limit.js, size-limit with esbuild: minified, gzip,
 * ONNX Runtime excluded since it loads as its own chunk): the main chunk a web
 * app downloads on import, before loadModels() fetches the pipeline's chunk
 * with the models, all of the SDK's code together, the loader of ORT's
 * brotli-compressed runtime (fetched with ORT), and the passkey chunk
 * (@simplewebauthn/browser) that only a device policy fetches. Runs on the built
 * dist/ that `npm test` makes first.
 */
describe("size budget (size-limit)", () => {
  it("keeps the main chunk within 25 kB gzip (the elements' within 30 kB), all of the SDK's code within 47 kB, the compressed runtime's loader within 5 kB, and the passkey chunk within 6 kB", () => {
    const r = spawnSync(join(REPO, "node_modules/.bin/size-limit"), ["--json"], { cwd: REPO, encoding: "utf8" });
    const results = JSON.parse(r.stdout) as SizeLimitResult[];
    for (const x of results) console.log(`${x.name}: ${x.size} B (limit ${x.sizeLimit} B)`);
    expect(results.map((x) => x.name)).toHaveLength(5);
    for (const x of results) expect(x.size, x.name).toBeLessThanOrEqual(x.sizeLimit);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);
});
