import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../../scripts/lib/shared-data.js";

/** The published packages: workspace folder and npm name. */
export const PACKAGES = [
  { dir: "client", name: "@facegate/client" },
  { dir: "packages/relying-party", name: "@facegate/relying-party" },
  { dir: "packages/react-native", name: "@facegate/react-native" },
] as const;

export interface Tarball {
  name: string;
  file: string;
  bytes: number;
  /** Unpacked size and file count, as `npm pack` reports them. */
  unpackedBytes: number;
  files: string[];
}

interface PackJson {
  filename: string;
  unpackedSize: number;
  files: { path: string }[];
}

/**
 * `npm pack` of every package into a fresh folder outside the repository.
 * `npm test` has built them already (its pretest), so prepack is skipped.
 */
export function packAll(): Tarball[] {
  const out = mkdtempSync(join(tmpdir(), "facegate-tarballs-"));
  return PACKAGES.map(({ dir, name }) => {
    const json = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], {
      cwd: join(REPO, dir),
      env: cleanEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [info] = JSON.parse(json) as PackJson[];
    const file = join(out, info!.filename);
    return { name, file, bytes: statSync(file).size, unpackedBytes: info!.unpackedSize, files: info!.files.map((f) => f.path) };
  });
}

/** A command in a folder; its output goes into the failure message. */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): { status: number; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...cleanEnv(), ...env, npm_config_audit: "false", npm_config_fund: "false" } });
  return { status: r.status ?? 1, output: `$ ${cmd} ${args.join(" ")}\n${r.stdout}${r.stderr}` };
}

/**
 * The environment without npm's own `npm_*` variables: under `npm test` they
 * name this repository as the prefix, and a child `npm install` in a temporary
 * project would then install into the repository instead.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}
