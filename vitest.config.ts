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
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // The JSON report gives .ci/run its "N passed, N failed" line (artifacts/ is git-ignored).
      reporters: ["default", ["json", { outputFile: "artifacts/test-report.json" }]],
      // Builds the packages (if missing) and the demo's public/ before any project starts.
      globalSetup: ["./test/global-setup.ts"],
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
            include: [
              "client/**/*.test.ts",
              "src/protocol/**/*.test.ts",
              "packages/*/src/**/*.test.ts",
              "packages/*/test/**/*.test.ts",
              "test/node/**/*.test.ts",
              "scripts/**/*.test.ts",
              "bench/**/*.test.ts",
            ],
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
