import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { mulberry32, randomInt } from "./prng.js";
import type { Pair } from "../types.js";

/** A malformed pair file; the message starts with `file:line:` (just `dir:` for a folder-per-person directory). */
export class PairFileError extends Error {
  override name = "PairFileError";
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

export type PairFormat = "lfw" | "csv" | "folders";

export interface PairSet {
  pairs: Pair[];
  format: PairFormat;
  /** The pair file, or the images directory for "folders". */
  source: string;
}

/** LFW's layout: `<images>/<name>/<name>_<iiii>.jpg`, 4-digit, 1-based. */
export function lfwImagePath(images: string, name: string, index: number): string {
  return path.resolve(images, name, `${name}_${String(index).padStart(4, "0")}.jpg`);
}

/**
 * The identity an image belongs to, from its file name: LFW's
 * `George_W_Bush_0012.jpg` is "George_W_Bush". Files not named that way fall
 * back to their parent directory (the folder-per-person layout).
 */
export function identityOfPath(file: string): string {
  const stem = path.basename(file).replace(/\.[^.]+$/, "");
  const m = /^(.+)_\d+$/.exec(stem);
  return m?.[1] ?? path.basename(path.dirname(file));
}

function positiveInt(s: string, file: string, line: number, what: string, min = 1): number {
  if (!/^\d+$/.test(s) || Number(s) < min) {
    throw new PairFileError(file, line, `${what} '${s}' is not a ${min === 0 ? "non-negative" : "positive"} integer`);
  }
  return Number(s);
}

/**
 * The LFW pair format. First line: the number of same-person pairs (View 1:
 * `1100`), or `folds count` (View 2: `10 300`, each fold holding `count`
 * same then `count` different pairs). Then `name i j` (same person) or
 * `name1 i name2 j` (different people), separated by tabs or spaces.
 */
export function parseLfwPairs(text: string, file: string, images: string): Pair[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().split(/\s+/);
  let expectedSame: number;
  let expectedTotal: number | null;
  if (header.length === 1) {
    expectedSame = positiveInt(header[0] ?? "", file, 1, "same-pair count", 0);
    expectedTotal = null;
  } else if (header.length === 2) {
    const folds = positiveInt(header[0] ?? "", file, 1, "fold count");
    const perFold = positiveInt(header[1] ?? "", file, 1, "pairs per fold");
    expectedSame = folds * perFold;
    expectedTotal = 2 * folds * perFold;
  } else {
    throw new PairFileError(file, 1, `header must be 'count' or 'folds count', got '${lines[0] ?? ""}'`);
  }
  const pairs: Pair[] = [];
  let same = 0;
  for (let k = 1; k < lines.length; k++) {
    const raw = (lines[k] ?? "").trim();
    if (raw === "") continue;
    const line = k + 1;
    const where = `${file}:${line}`;
    const f = raw.split(/\s+/);
    if (f.length === 3) {
      const [name, i, j] = f as [string, string, string];
      pairs.push({
        a: lfwImagePath(images, name, positiveInt(i, file, line, "image number")),
        b: lfwImagePath(images, name, positiveInt(j, file, line, "image number")),
        same: true,
        where,
      });
      same++;
    } else if (f.length === 4) {
      const [n1, i, n2, j] = f as [string, string, string, string];
      if (n1 === n2) throw new PairFileError(file, line, `different-person line names '${n1}' twice`);
      pairs.push({
        a: lfwImagePath(images, n1, positiveInt(i, file, line, "image number")),
        b: lfwImagePath(images, n2, positiveInt(j, file, line, "image number")),
        same: false,
        where,
      });
    } else {
      throw new PairFileError(file, line, `expected 'name i j' or 'name1 i name2 j', got ${f.length} fields`);
    }
  }
  if (same !== expectedSame) {
    throw new PairFileError(file, 1, `header announces ${expectedSame} same-person pairs, the file has ${same}`);
  }
  if (expectedTotal !== null && pairs.length !== expectedTotal) {
    throw new PairFileError(file, 1, `header announces ${expectedTotal} pairs in all, the file has ${pairs.length}`);
  }
  return pairs;
}

/** RFC 4180 records (quoted fields, `""` escapes, CRLF or LF), each with the line it starts on. */
export function parseCsvRecords(text: string, file: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new PairFileError(file, start, "unterminated quoted field");
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else {
            if (c === "\n") line++;
            field += c;
            i++;
          }
        }
        if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new PairFileError(file, line, "unexpected text after a closing quote");
        }
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      }
      fields.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    line++;
    if (!(fields.length === 1 && fields[0]!.trim() === "")) records.push({ line: start, fields });
  }
  return records;
}

/** CSV with a header naming `file_x`, `file_y` and `Decision` (Yes/No); paths relative to `images`. */
export function parseCsvPairs(text: string, file: string, images: string): Pair[] {
  const records = parseCsvRecords(text, file);
  const head = records[0];
  if (!head) throw new PairFileError(file, 1, "empty file: expected a header file_x,file_y,Decision");
  const col = (name: string): number => {
    const idx = head.fields.findIndex((f) => f.trim().toLowerCase() === name.toLowerCase());
    if (idx < 0) throw new PairFileError(file, head.line, `header has no '${name}' column (got ${head.fields.join(",")})`);
    return idx;
  };
  const cx = col("file_x");
  const cy = col("file_y");
  const cd = col("Decision");
  const pairs: Pair[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== head.fields.length) {
      throw new PairFileError(file, r.line, `expected ${head.fields.length} fields, got ${r.fields.length}`);
    }
    const x = r.fields[cx]!.trim();
    const y = r.fields[cy]!.trim();
    const d = r.fields[cd]!.trim().toLowerCase();
    if (x === "" || y === "") throw new PairFileError(file, r.line, "empty file path");
    if (d !== "yes" && d !== "no") throw new PairFileError(file, r.line, `Decision must be Yes or No, got '${r.fields[cd]}'`);
    pairs.push({ a: path.resolve(images, x), b: path.resolve(images, y), same: d === "yes", where: `${file}:${r.line}` });
  }
  return pairs;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;
const byCodeUnit = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * A folder-per-person directory without a pair file: every same-person pair,
 * plus `impostors` (default: as many as the genuine pairs) distinct
 * cross-person pairs drawn with a seeded PRNG. Listings are sorted, so the
 * same directory and seed always give the same pairs.
 */
export async function folderPairs(images: string, opts: { impostors?: number; seed?: number } = {}): Promise<Pair[]> {
  const people = (await readdir(images, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(byCodeUnit);
  const files: string[] = [];
  const owner: number[] = [];
  const genuine: Pair[] = [];
  for (const [p, person] of people.entries()) {
    const mine = (await readdir(path.join(images, person))).filter((f) => IMAGE_EXT.test(f)).sort(byCodeUnit);
    const abs = mine.map((f) => path.resolve(images, person, f));
    for (let i = 0; i < abs.length; i++) {
      for (let j = i + 1; j < abs.length; j++) {
        genuine.push({ a: abs[i]!, b: abs[j]!, same: true, where: `${path.join(images, person)} (genuine)` });
      }
    }
    files.push(...abs);
    for (let k = 0; k < abs.length; k++) owner.push(p);
  }
  if (people.length < 2 || genuine.length === 0) {
    throw new PairFileError(images, 0, "need at least two person folders and one person with two or more images");
  }
  const n = files.length;
  const sizes = new Map<number, number>();
  for (const o of owner) sizes.set(o, (sizes.get(o) ?? 0) + 1);
  let sameTotal = 0;
  for (const s of sizes.values()) sameTotal += (s * (s - 1)) / 2;
  const crossTotal = (n * (n - 1)) / 2 - sameTotal;
  const want = Math.min(opts.impostors ?? genuine.length, crossTotal);
  const rand = mulberry32(opts.seed ?? 0);
  const chosen: [number, number][] = [];
  if (want > crossTotal / 2) {
    // Dense: enumerate every cross pair, then a partial Fisher-Yates shuffle.
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (owner[i] !== owner[j]) all.push([i, j]);
    for (let k = 0; k < want; k++) {
      const r = k + randomInt(rand, all.length - k);
      [all[k], all[r]] = [all[r]!, all[k]!];
      chosen.push(all[k]!);
    }
  } else {
    // Sparse: rejection sampling of distinct unordered cross pairs.
    const seen = new Set<number>();
    while (chosen.length < want) {
      const x = randomInt(rand, n);
      const y = randomInt(rand, n);
      if (owner[x] === owner[y]) continue;
      const i = Math.min(x, y);
      const j = Math.max(x, y);
      const key = i * n + j;
      if (seen.has(key)) continue;
      seen.add(key);
      chosen.push([i, j]);
    }
  }
  const impostor = chosen.map(
    ([i, j], k): Pair => ({
      a: files[i]!,
      b: files[j]!,
      same: false,
      where: `${images} (impostor sample #${k + 1}, seed ${opts.seed ?? 0})`,
    }),
  );
  return [...genuine, ...impostor];
}

/** Reads pairs from an LFW or CSV pair file, or builds them from a folder-per-person directory. */
export async function loadPairs(opts: { pairs?: string; images: string; impostors?: number; seed?: number }): Promise<PairSet> {
  if (!opts.pairs) {
    return { pairs: await folderPairs(opts.images, opts), format: "folders", source: opts.images };
  }
  const text = await readFile(opts.pairs, "utf8");
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  if (opts.pairs.toLowerCase().endsWith(".csv") || /file_x/i.test(firstLine)) {
    return { pairs: parseCsvPairs(text, opts.pairs, opts.images), format: "csv", source: opts.pairs };
  }
  return { pairs: parseLfwPairs(text, opts.pairs, opts.images), format: "lfw", source: opts.pairs };
}

/**
 * The first `limit` pairs keeping the genuine/impostor proportion (LFW files
 * list all same pairs first, so a plain prefix would have no impostors).
 */
export function limitPairs(pairs: Pair[], limit: number): Pair[] {
  if (limit >= pairs.length) return pairs;
  const gen = pairs.filter((p) => p.same);
  const imp = pairs.filter((p) => !p.same);
  const g = Math.min(gen.length, Math.round((limit * gen.length) / pairs.length));
  return [...gen.slice(0, g), ...imp.slice(0, limit - g)];
}
