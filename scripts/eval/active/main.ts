/**
 * `npm run eval:active [-- --fps 10] [--short] [--json out.json]`: the
 * active liveness challenge on real clips and attack stills, decided by the
 * rule the server applies (src/protocol/liveness.ts) on the evidence the SDK
 * measures (client/src/pipeline/active/capture.ts). Prints the active step's
 * BPCER over live people who performed the asked action, and its APCER per
 * attack kind (stills of a live person, a print, a tablet, a phone replaying
 * a video, and live people asked for an action they did not do), with counts.
 * Results: docs/PAD.md ("Active challenge").
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { REPO_ROOT } from "../../lib/dev-server.js";
import { runMain } from "../cli.js";
import { attempts, framesOf, type Attempt } from "./clips.js";
import { parseCommandLine } from "../../lib/command-line.js";

export interface AttemptResult extends Attempt {
  fps: number;
  passed: boolean;
  frames: number;
}

export async function evaluate(opts: { videoDir: string; fps: number[]; short?: boolean; log?: (s: string) => void }): Promise<AttemptResult[]> {
  const { loadNodePipeline } = await import("../../../client/src/pipeline/load/load-node.js");
  const { readImageFile } = await import("../../../client/src/image/decode-node.js");
  const { captureAction } = await import("../../../client/src/pipeline/active/capture.js");
  const { LivenessError } = await import("../../../client/src/errors.js");
  const pipe = await loadNodePipeline({ modelsDir: path.join(REPO_ROOT, "models"), threads: 1, provider: "wasm" });
  const out: AttemptResult[] = [];
  try {
    for (const fps of opts.fps) {
      for (const a of attempts(opts.short ? { short: true } : {})) {
        const frames = await framesOf(opts.videoDir, a, fps, readImageFile);
        let passed = true;
        try {
          await captureAction(pipe, frames, a.action, { maxMs: a.seconds * 1000 });
        } catch (e) {
          if (!(e instanceof LivenessError)) throw e;
          passed = false;
        }
        out.push({ ...a, fps, passed, frames: frames.length });
        opts.log?.(`${a.kind} ${a.clip}@${a.from}s ${a.action} ${fps} fps: ${passed ? "passed" : "refused"}`);
      }
    }
  } finally {
    await pipe.dispose();
  }
  return out;
}

export function summarise(results: readonly AttemptResult[]): { row: string; kind: string; errors: number; n: number; rate: number }[] {
  const kinds = [...new Set(results.map((r) => r.kind))];
  return kinds.map((kind) => {
    const rs = results.filter((r) => r.kind === kind);
    // BPCER: live people refused; APCER: attacks accepted.
    const errors = rs.filter((r) => (kind === "bona_fide" ? !r.passed : r.passed)).length;
    const label = kind === "bona_fide" ? "BPCER (live, asked action performed)" : `APCER ${kind}`;
    return { row: `${label}: ${errors}/${rs.length} = ${((100 * errors) / rs.length).toFixed(1)}%`, kind, errors, n: rs.length, rate: errors / rs.length };
  });
}

async function main(): Promise<void> {
  const values = parseCommandLine({
    command: "npm run eval:active",
    summary: "The active liveness challenge on real clips and attack stills: the active step's BPCER and its APCER per attack kind, with counts.",
    options: {
      video: { type: "string", default: path.join(REPO_ROOT, "../shared/data/video") },
      fps: { type: "string", default: "5,10,15" },
      short: { type: "boolean", default: false },
      json: { type: "string" },
    },
    help: {
      video: "the clips and stills",
      fps: "comma-separated frame rates to analyse at",
      short: "a short fixed-size run",
      json: "also write the results as JSON to this file",
    },
  });
  const results = await evaluate({
    videoDir: values.video!,
    fps: values.fps!.split(",").map(Number),
    ...(values.short ? { short: true } : {}),
    log: (s) => process.stderr.write(`${s}\n`),
  });
  for (const s of summarise(results)) console.log(s.row);
  if (values.json) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) runMain(main);
