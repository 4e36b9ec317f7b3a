/**
 * The conformance reference (scripts/conformance/trace-core.ts: the SDK's
 * pipeline and the stages it exports) run in Hermes, for one image: the
 * program conformance-impl.ts runs per photo. The models' bytes come from
 * the input and are checked by sha256 (@noble/hashes) as in the app; their
 * runs are replayed from the real models in Node (replay-ort.ts). Prints the
 * conformance document, or `{format, error}`.
 */
import { installed } from "./polyfills.js";
import { base64 } from "@scure/base";
import type { OrtPlatform } from "../../../../client/src/runtime/ort.js";
import { parseManifest } from "../../../../client/src/runtime/parse-manifest.js";
import { FORMAT } from "../../../../scripts/conformance/format-constants.js";
import { ReferenceCore } from "../../../../scripts/conformance/trace-core.js";
import type { ConformanceInput } from "./protocol.js";
import { InferenceSession, Tensor } from "./replay-ort.js";

declare const print: (line: string) => void;

const input = (globalThis as unknown as { __FACEGATE_INPUT: ConformanceInput }).__FACEGATE_INPUT;

// The React Native package's platform asks ORT for "cpu"; the reference names "wasm" (the replay runs neither).
const platform: OrtPlatform = {
  name: "hermes-replay",
  ort: { InferenceSession, Tensor },
  threads: 1,
  selectProvider: async () => ({ provider: "wasm", reason: "replayed model runs" }),
};

async function main(): Promise<unknown> {
  const manifest = parseManifest(input.manifest);
  const ref = await ReferenceCore.build({
    platform,
    manifest,
    source: {
      description: "the input",
      async read(_id, entry, onBytes) {
        const b = base64.decode(input.files[entry.file]!);
        onBytes(b.length);
        return b;
      },
    },
  });
  const image = { width: input.image.width, height: input.image.height, data: base64.decode(input.image.data) };
  return ref.trace(image);
}

main().then(
  (doc) => print(JSON.stringify(doc)),
  (e: unknown) =>
    print(JSON.stringify({ format: FORMAT, error: `in Hermes (given ${installed.join(", ") || "nothing"}): ${(e as Error)?.message ?? String(e)}` })),
);
