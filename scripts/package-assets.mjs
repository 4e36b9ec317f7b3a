#!/usr/bin/env node
/**
 * Copies what a workspace package ships but the repository keeps once, at
 * the top level (docs/ARCHITECTURE.md, "Packages"): the MIT LICENSE into
 * every package, and for @facegate/client the models (models/*.onnx and
 * manifest.json), so an app gets the exact weights this SDK was calibrated
 * with. The copies are git-ignored; `npm run build` makes them.
 *
 *   node scripts/package-assets.mjs client|relying-party|react-native
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const which = process.argv[2];
const dirs = { client: join(root, "client"), "relying-party": join(root, "packages/relying-party"), "react-native": join(root, "packages/react-native") };
const dir = dirs[which];
if (!dir) {
  console.error(`usage: package-assets.mjs ${Object.keys(dirs).join("|")}`);
  process.exit(2);
}
copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
if (which === "client") {
  const out = join(dir, "models");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  for (const f of readdirSync(join(root, "models"))) {
    if (f.endsWith(".onnx") || f === "manifest.json") copyFileSync(join(root, "models", f), join(out, f));
  }
}
