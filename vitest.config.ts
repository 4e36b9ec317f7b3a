import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { testBindings } from "./test/fixtures/bindings.js";

/**
 * `npm test` runs three projects:
 * - worker: the API inside workerd (real D1 and Durable Objects), test keys
 *   from test/fixtures (never .dev.vars);
 * - node: the client SDK, pipeline, eval and scripts on Node (real ONNX models);
 * - e2e: the real worker started as `npm start` does (wrangler dev), driven by
 *   the CLI, load and crash scripts, and Debian's Chromium (playwright-core)
 *   for the demo; one file at a time, as each starts its own server.
 */
export default defineConfig(async () => {
  // wrangler.toml serves public/ as static assets, and workerd refuses to start
  // when that directory is missing (a fresh clone): build the demo first, once,
  // before any project starts (the browser and e2e tests serve it too).
  // The demo and the dev entry use the workspace packages as an app would (their dist/): `npm test`
  // builds them first (pretest); a direct `npx vitest` on a fresh clone builds them here.
  if (!existsSync("client/dist/index.js") || !existsSync("packages/relying-party/dist/index.js") || !existsSync("packages/react-native/dist/index.js")) {
    execFileSync("npm", ["run", "build", "--silent"], { stdio: "pipe" });
  }
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-demo.ts"], { stdio: "pipe" });
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // The JSON report gives .ci/run its "N passed, N failed" line (artifacts/ is git-ignored).
      reporters: ["default", ["json", { outputFile: "artifacts/test-report.json" }]],
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { ...testBindings, TEST_MIGRATIONS: migrations },
                // A real rate limiter with a small limit, swapped in for RL_* by the rate-limit tests
                // (so a test needs 4 requests, not 600, to see the 429).
                // RL_UNLIMITED: the fuzz test's, whose 10,000 requests are about validation, not limits.
                ratelimits: { RL_SMALL: { simple: { limit: 3, period: 60 } }, RL_UNLIMITED: { simple: { limit: 1_000_000_000, period: 60 } } },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            // Property-based suites send hundreds of requests; the machine is shared.
            testTimeout: 60_000,
            setupFiles: ["./test/worker/setup.ts"],
          },
        },
        {
          test: {
            name: "node",
            include: ["client/**/*.test.ts", "src/protocol/**/*.test.ts", "packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "test/node/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts", "test/load/**/*.test.ts", "test/browser/**/*.test.ts"],
            environment: "node",
            fileParallelism: false,
            testTimeout: 300_000,
            hookTimeout: 300_000,
          },
        },
      ],
    },
  };
});
