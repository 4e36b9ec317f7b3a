import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "../../scripts/eval/data/prng.js";

export { mulberry32 };

/**
 * `n` distinct items drawn with a seeded partial Fisher-Yates shuffle of
 * `items` (sort them first for a sample that does not depend on listing
 * order). Returns all items, shuffled, when n >= items.length.
 */
export function seededSample<T>(items: readonly T[], n: number, seed: number): T[] {
  const a = [...items];
  const rand = mulberry32(seed);
  const k = Math.min(Math.max(0, Math.floor(n)), a.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** `<dir>/<person>/<file>.jpg` paths relative to `dir`, sorted (the LFW layout). */
export async function listPersonImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const person of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(join(dir, person.name))) {
      if (/\.jpe?g$/i.test(f)) out.push(`${person.name}/${f}`);
    }
  }
  return out.sort();
}

/** Split 0..n-1 into consecutive chunks of at most `size` indices. */
export function chunked(n: number, size: number): number[][] {
  const s = Math.max(1, Math.floor(size));
  const out: number[][] = [];
  for (let i = 0; i < n; i += s) out.push(Array.from({ length: Math.min(s, n - i) }, (_, k) => i + k));
  return out;
}

/**
 * Order in which `k` contenders run in slot `slot` (round x chunk): a
 * rotation, so over k consecutive slots every contender runs in every
 * position once and none always follows the same neighbour's cache state.
 */
export function rotation(k: number, slot: number): number[] {
  const s = ((slot % k) + k) % k;
  return Array.from({ length: k }, (_, i) => (i + s) % k);
}

/** Version of an installed package, read from node_modules (some packages do not export package.json). */
export function packageVersion(name: string, root = fileURLToPath(new URL("../../", import.meta.url))): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
