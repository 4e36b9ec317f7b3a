/**
 * `npm run cost [-- --subjects 8 --rounds 3]`: what one enrollment and one
 * verify cost on Cloudflare, counted on the real worker (wrangler dev, as
 * `npm start`, with the dev worker's vault meter on) with real embeddings of
 * ../shared/data/faces/obama from the SDK's Node pipeline, priced with the
 * published rates in prices.ts. Last line: `cost: $N.NN per million verifies`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { loadDevIssuer } from "../../client/src/cli/dev-issuer.js";
import { REPO_ROOT, startDevServer } from "../lib/dev-server.js";
import { ensureDevKeys } from "../lib/ensure-dev-keys.js";
import { measure } from "./measure.js";
import { report } from "./report.js";
import { parseCommandLine } from "../lib/command-line.js";

const values = parseCommandLine({
  command: "npm run cost",
  summary: "What one enrollment and one verify cost on Cloudflare, counted on wrangler dev and priced; last line: cost: $N.NN per million verifies.",
  options: {
    subjects: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    faces: { type: "string", default: path.join(REPO_ROOT, "../shared/data/faces") },
  },
  help: { subjects: "subjects enrolled", rounds: "verifies per subject", faces: "the photos directory (obama/ is used)" },
});
const rounds = Number(values.rounds);
if (!(rounds >= 1 && rounds <= 3)) throw new Error("--rounds: 1 to 3 (one distinct photo per round; a repeat would be a replay)");

ensureDevKeys();
const issuer = loadDevIssuer();
if (!issuer) throw new Error(".dev.vars.dev has no dev issuer (run npm run dev-keys)");

const { loadNodePipeline } = await import("../../client/src/pipeline/load/load-node.js");
const { readImageFile } = await import("../../client/src/image/decode-node.js");
const pipeline = await loadNodePipeline({ modelsDir: path.join(REPO_ROOT, "models"), threads: 1, provider: "wasm" });
const embed = async (photo: string) => Float32Array.from((await pipeline.analyze(await readImageFile(path.join(values.faces!, "obama", photo)))).embedding);
const enrollEmbedding = await embed("obama_1.jpg");
const verifyEmbeddings = [];
for (const photo of ["obama_2.jpg", "obama_3.jpg", "obama_4.jpg"].slice(0, rounds)) verifyEmbeddings.push(await embed(photo));
const modelId = pipeline.modelId;
await pipeline.dispose();

// wrangler dev serves public/ (the demo and models) and will not start without it.
if (!existsSync(path.join(REPO_ROOT, "public"))) {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-demo.ts"], { cwd: REPO_ROOT, stdio: "inherit" });
}
const server = await startDevServer({ vars: { FACEGATE_METER: "1" } });
try {
  const measured = await measure({
    url: server.url,
    issuer,
    pgid: server.process.pid!,
    modelId,
    subjects: Number(values.subjects),
    enrollEmbedding,
    verifyEmbeddings,
  });
  console.log(report(measured));
} finally {
  await server.stop();
}
