/**
 * PAD evaluation data: bona fide and attack presentations with their attack
 * type and subject, from an index CSV (the format of
 * ../shared/data/pad/index.csv: path,label,attack_type,split,subject[,source])
 * or from a folder tree:
 *
 *   <root>/bona_fide/<subject>/<image>
 *   <root>/attack/<attack type>/<subject>/<image>
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { BONA_FIDE } from "./metrics.js";

/** Where the PAD development set lives (../shared/data/pad, next to the repository). */
export const DEFAULT_PAD_DATA = process.env["FACEGATE_PAD_DIR"] ?? "../shared/data/pad";

export interface Presentation {
  /** Absolute path of the image. */
  file: string;
  /** As listed (relative to the root), for reports. */
  rel: string;
  /** `bona_fide` or the attack type. */
  type: string;
  subject: string;
  split: string;
  /** The top folder under the root (the data's source), for per-source tables. */
  source: string;
}

export class DatasetError extends Error {
  override name = "DatasetError";
}

const REQUIRED = ["path", "label", "attack_type", "subject"] as const;

/** Parses an index CSV (no quoted fields: the index never needs them, and a quote is refused rather than misread). */
export function parseIndexCsv(text: string, root: string, where = "index.csv"): Presentation[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new DatasetError(`${where}: empty`);
  const header = lines[0]!.split(",").map((h) => h.trim());
  const col = Object.fromEntries(header.map((h, k) => [h, k]));
  for (const h of REQUIRED) if (col[h] === undefined) throw new DatasetError(`${where}: no '${h}' column (have ${header.join(", ")})`);
  return lines.slice(1).map((line, k) => {
    if (line.includes('"')) throw new DatasetError(`${where}:${k + 2}: quoted fields are not supported`);
    const f = line.split(",");
    if (f.length !== header.length) throw new DatasetError(`${where}:${k + 2}: ${f.length} fields, header has ${header.length}`);
    const get = (h: string) => f[col[h]!]!.trim();
    const label = get("label");
    const attackType = get("attack_type");
    if (label !== "bona_fide" && label !== "attack") throw new DatasetError(`${where}:${k + 2}: label '${label}' is neither bona_fide nor attack`);
    if (label === "attack" && (attackType === "" || attackType === "none")) throw new DatasetError(`${where}:${k + 2}: an attack needs an attack_type`);
    const rel = get("path");
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes("..")) throw new DatasetError(`${where}:${k + 2}: path must stay inside the root`);
    return {
      file: path.join(root, rel),
      rel,
      type: label === "bona_fide" ? BONA_FIDE : attackType,
      subject: get("subject"),
      split: col["split"] !== undefined ? get("split") : "",
      source: rel.split(/[\\/]/)[0]!,
    };
  });
}

const IMAGE = /\.(jpe?g|png)$/i;

async function listImages(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && IMAGE.test(e.name))
    .map((e) => e.name)
    .sort();
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Reads a bona_fide/<subject>/ + attack/<type>/<subject>/ folder tree. */
export async function readFolderTree(root: string): Promise<Presentation[]> {
  const out: Presentation[] = [];
  const add = async (dir: string, type: string, subject: string) => {
    for (const name of await listImages(dir)) {
      const file = path.join(dir, name);
      out.push({ file, rel: path.relative(root, file), type, subject, split: "", source: path.basename(root) });
    }
  };
  for (const subject of await subdirs(path.join(root, "bona_fide"))) await add(path.join(root, "bona_fide", subject), BONA_FIDE, subject);
  for (const type of await subdirs(path.join(root, "attack"))) {
    for (const subject of await subdirs(path.join(root, "attack", type))) await add(path.join(root, "attack", type, subject), type, subject);
  }
  if (out.length === 0) throw new DatasetError(`${root}: no images under bona_fide/<subject>/ or attack/<type>/<subject>/`);
  return out;
}

/** An index CSV (a file) or a folder tree (a directory). */
export async function loadPresentations(data: string): Promise<Presentation[]> {
  const s = await stat(data).catch(() => null);
  if (!s) throw new DatasetError(`${data}: no such file or directory`);
  if (s.isDirectory()) {
    const index = path.join(data, "index.csv");
    if (await stat(index).catch(() => null)) return parseIndexCsv(await readFile(index, "utf8"), data, index);
    return readFolderTree(data);
  }
  return parseIndexCsv(await readFile(data, "utf8"), path.dirname(data), data);
}

export interface Selection {
  /** Keep only these splits / sources (by the index's `split` and the top folder). */
  splits?: readonly string[];
  sources?: readonly string[];
  /** At most this many presentations per (source, type), the first in index order: a quick, balanced run. */
  perType?: number;
}

export function select<T extends Pick<Presentation, "split" | "source" | "type">>(items: readonly T[], s: Selection): T[] {
  let out = items.filter((p) => (!s.splits || s.splits.includes(p.split)) && (!s.sources || s.sources.includes(p.source)));
  if (s.perType !== undefined) {
    const seen = new Map<string, number>();
    out = out.filter((p) => {
      const k = `${p.source}|${p.type}`;
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      return n < s.perType!;
    });
  }
  return out;
}
