/**
 * `npm run attack [-- --url http://127.0.0.1:8787] [--full]`: the outside
 * review's attacks (template bridging, small steps, replayed templates,
 * lockout) against a running facegate (by default `npm start` on this
 * machine), with real embeddings of different people from
 * ../shared/data/faces computed by the SDK pipeline. One line per scenario,
 * then `N passed, N failed`; exit 1 when any failed. Tokens come from the
 * local dev issuer (.dev.vars.dev, written by `npm start`).
 */
import path from "node:path";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { STEP_UP_ACR } from "../../src/protocol/scopes.js";
import { REPO_ROOT } from "../lib/dev-server.js";
import { runAttack } from "./scenarios.js";
import { parseCommandLine } from "../lib/command-line.js";

const values = parseCommandLine({
  command: "npm run attack",
  summary:
    "The outside review's attacks (template bridging, small steps, replayed templates, lockout) against a running facegate; exit 1 when any scenario is not refused.",
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    faces: { type: "string", default: path.join(REPO_ROOT, "../shared/data/faces") },
    full: { type: "boolean", default: false },
  },
  help: { url: "the facegate to attack (npm start's by default)", faces: "the photos directory", full: "every scenario at full length" },
});

const issuer = loadDevIssuer(path.join(REPO_ROOT, DEV_VARS_FILE));
if (!issuer) {
  console.error(`no local dev issuer in ${DEV_VARS_FILE}: run \`npm start\` first (it writes one)`);
  process.exit(2);
}
const { loadNodePipeline } = await import("../../client/src/pipeline/load/load-node.js");
const { readImageFile } = await import("../../client/src/image/decode-node.js");
const pipeline = await loadNodePipeline({ modelsDir: path.join(REPO_ROOT, "models"), threads: 1, provider: "wasm" });
const cache = new Map<string, Float32Array>();

const verdicts = await runAttack({
  baseUrl: values.url!,
  modelId: pipeline.modelId,
  full: values.full === true,
  log: (line) => console.log(line),
  mint: (sub, scope) => mintDevToken(issuer, { sub, scope, ttlSeconds: 300, clientId: "facegate-attack", acr: STEP_UP_ACR }),
  embed: async (photo) => {
    let e = cache.get(photo);
    if (!e) cache.set(photo, (e = Float32Array.from((await pipeline.analyze(await readImageFile(path.join(values.faces!, photo)))).embedding)));
    return e;
  },
});
await pipeline.dispose();
for (const v of verdicts) console.log(`${v.passed ? "PASS" : "FAIL"} ${v.scenario}: ${v.detail}`);
const passed = verdicts.filter((v) => v.passed).length;
console.log(`${passed} passed, ${verdicts.length - passed} failed`);
process.exit(passed === verdicts.length ? 0 : 1);
