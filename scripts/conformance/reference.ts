/**
 * The reference implementation as a conformance process (docs/MOBILE.md,
 * "Conformance"): reads image paths from stdin, one per line (a JPEG or
 * PNG to decode, or a .pam of decoded RGBA), and prints one JSON document
 * per line on stdout, in order (scripts/conformance/format.ts); logs go to
 * stderr. Exits at the end of its input.
 *
 *   npx tsx scripts/conformance/reference.ts [--ort web|node] [--five-points ring|package]
 *
 * `--ort node` runs the same code on onnxruntime-node's native kernels;
 * `--five-points package` is a deliberately drifted pipeline.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { FORMAT, type ErrorResult } from "./format.js";
import { readInput, ReferencePipeline, type OrtChoice } from "./trace.js";

const { values } = parseArgs({
  options: { ort: { type: "string", default: "web" }, "five-points": { type: "string" } },
  strict: true,
});
if (values.ort !== "web" && values.ort !== "node") throw new Error(`--ort must be web or node, got ${values.ort}`);
const fivePoints = values["five-points"];
if (fivePoints !== undefined && fivePoints !== "ring" && fivePoints !== "package") throw new Error(`--five-points must be ring or package`);

const ref = await ReferencePipeline.load({ ort: values.ort as OrtChoice, ...(fivePoints ? { fivePoints } : {}) });
process.stderr.write(`reference: ${ref.runtime}, FacePipeline ${ref.pipeline.pipelineVersion}\n`);
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const path = line.trim();
  if (!path) continue;
  let out: unknown;
  try {
    out = await ref.trace(await readInput(path));
  } catch (e) {
    out = { format: FORMAT, error: (e as Error).message } satisfies ErrorResult;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
await ref.dispose();
