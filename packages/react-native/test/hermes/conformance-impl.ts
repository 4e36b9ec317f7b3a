/**
 * A conformance implementation (docs/MOBILE.md "Conformance") that computes
 * in Hermes: for each image path on stdin, Node decodes it (or reads the
 * PAM), records the real models' runs on it (the reference in Node), then
 * conformance-entry.ts computes the document in hermes-engine-cli's `hermes`
 * with those runs replayed, and its line is printed. Every stage but the
 * model runs (and the decoding) is Hermes's.
 *
 *   npm run conformance -- --impl "npx tsx packages/react-native/test/hermes/conformance-impl.ts" --pixels reference
 */
import { createInterface } from "node:readline";
import { directoryModelSource, readManifest } from "../../../../client/src/runtime/model-dir-node.js";
import { FORMAT } from "../../../../scripts/conformance/format-constants.js";
import { readInput } from "../../../../scripts/conformance/trace.js";
import { ReferenceCore } from "../../../../scripts/conformance/trace-core.js";
import { bundledModels, bundleForHermes, encodeImage, MODELS_DIR, recordingPlatform, runInHermes } from "./hermes.js";
import type { ConformanceInput } from "./protocol.js";

const { platform, recording } = recordingPlatform();
const manifest = await readManifest(MODELS_DIR);
const ref = await ReferenceCore.build({ platform, manifest, source: directoryModelSource(MODELS_DIR) });
const bundle = await bundleForHermes("conformance-entry.ts");
const files = bundledModels();
process.stderr.write(`hermes conformance: bundle ${(bundle.code.length / 1024).toFixed(0)} KiB, the reference's model runs recorded in Node and replayed\n`);

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const path = line.trim();
  if (!path) continue;
  let out: unknown;
  try {
    const image = await readInput(path);
    for (const m of recording) m.calls = [];
    await ref.trace(image);
    out = runInHermes<ConformanceInput, unknown>(bundle.code, { manifest, files, recording, image: encodeImage(image) });
  } catch (e) {
    out = { format: FORMAT, error: (e as Error).message };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
await ref.dispose();
