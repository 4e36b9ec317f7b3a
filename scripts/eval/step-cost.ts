/**
 * Per-call cost of the pipeline's image-restoration steps on one LFW photo,
 * in one process (docs/BENCHMARKS.md, "Cost of the noise and blur
 * remedies"): the impulse check, the noise estimate, one 3x3 median pass, and
 * the unsharp mask of a 112x112 crop at the old and the current settings.
 *
 *   npx tsx scripts/eval/step-cost.ts [image.jpg] [--calls 100] [--repeats 3]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { decodeImage } from "../../client/src/image/decode-node.js";
import { suppressImpulseNoise } from "../../client/src/image/impulse.js";
import { median3x3, noiseSigma } from "../../client/src/image/noise.js";
import { DEFAULT_SHARPEN, unsharpMask } from "../../client/src/pipeline/quality/sharpen.js";
import { DEFAULT_LFW_DIR } from "./cli.js";

const { values: v, positionals } = parseArgs({
  options: { calls: { type: "string", default: "100" }, repeats: { type: "string", default: "3" } },
  allowPositionals: true,
});
const file = positionals[0] ?? path.join(DEFAULT_LFW_DIR, "images/AJ_Cook/AJ_Cook_0001.jpg");
const img = await decodeImage(new Uint8Array(await readFile(file)));
const crop = { data: img.data.slice(0, 112 * 112 * 4), width: 112, height: 112 };
const calls = Number(v.calls);
const time = (f: () => unknown) => {
  f();
  const t = performance.now();
  for (let i = 0; i < calls; i++) f();
  return ((performance.now() - t) / calls).toFixed(2);
};
console.log(`${file} (${img.width}x${img.height}), ms per call, ${calls} calls`);
for (let r = 0; r < Number(v.repeats); r++) {
  console.log(
    `impulse check ${time(() => suppressImpulseNoise(img))}  noise estimate ${time(() => noiseSigma(img))}  median pass ${time(() => median3x3(img))}  ` +
      `unsharp 112 σ 1 amount 2 ${time(() => unsharpMask(crop, 1, 2))}  σ ${DEFAULT_SHARPEN.sigma} amount ${DEFAULT_SHARPEN.amount} ${time(() => unsharpMask(crop, DEFAULT_SHARPEN.sigma, DEFAULT_SHARPEN.amount))}`,
  );
}
