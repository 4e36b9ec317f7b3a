#!/usr/bin/env node
/**
 * wrangler.toml's [build] command: what `wrangler deploy` uploads as static
 * assets, built fresh (the packages, then public/: models, ONNX Runtime, the
 * demo; scripts/build-demo.ts), so a fresh clone deploys with nothing else
 * to run. FACEGATE_ASSETS_FRESH=1 says the caller has just built them (npm
 * test does, before the deploy test: rebuilding there would delete
 * client/dist under the tests that read it).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

if (process.env.FACEGATE_ASSETS_FRESH === "1") {
  console.log("build-assets: FACEGATE_ASSETS_FRESH=1, using the packages and public/ as built");
} else {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const r = spawnSync("npm", ["run", "build:assets", "--silent"], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
