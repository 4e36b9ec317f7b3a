/** Small helpers shared by the command-line entries. */
import path from "node:path";
import { isParseArgsError } from "../lib/command-line.js";

/** Where the LFW development views live (outside the repository: docs/MODELS.md, "Calibration data"). */
export const DEFAULT_LFW_DIR = process.env["FACEGATE_LFW_DIR"] ?? "../shared/data/lfw-dev";
export const DEFAULT_MANIFEST = "models/manifest.json";

/** The command line as run, for provenance (result.json, the manifest). */
export function commandLine(script: string): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ["npx tsx", script, ...process.argv.slice(2).map(q)].join(" ");
}

export function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

export function numberOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return x;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** Refuses to calibrate on data reserved for checking or testing (thresholds are tuned on DevTrain only, never on DevTest or the test photos in shared/data/faces). */
export function refuseHeldOut(file: string, role: string): void {
  const p = path.resolve(file).split(path.sep).join("/");
  if (/devtest/i.test(path.basename(p)) || /\/shared\/data\/faces(\/|$)/.test(p)) {
    throw new UsageError(`${file} is held-out data: it may not be used for ${role}`);
  }
}

/** Runs an entry, printing errors without a stack for usage and data problems. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    const err = e as Error;
    const usage = err.name === "UsageError" || isParseArgsError(e);
    const expected = usage || ["PairFileError", "ImageDecodeError"].includes(err.name);
    console.error(`error: ${expected ? err.message : (err.stack ?? String(err))}`);
    process.exitCode = usage ? 2 : 1;
  });
}
