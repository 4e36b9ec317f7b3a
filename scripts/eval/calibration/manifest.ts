/**
 * Reads the shipped thresholds from models/manifest.json and writes
 * calibrated ones back, touching only `models[id].embedding` so the rest of
 * the file keeps its bytes (and its hand-kept compact formatting).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { ModelManifest } from "../../../src/protocol/manifest.js";
import type { CalibrationResult } from "./calibrate.js";

export interface ShippedThresholds {
  modelId: string;
  /** The operating threshold the server applies. */
  threshold: number;
  operatingFmr: number;
  /** True when `threshold` came from --threshold rather than the manifest's operating point. */
  overridden?: boolean;
  /** Calibrated points, empty while the manifest is provisional. */
  thresholds: { fmr: number; threshold: number }[];
}

/** The embedding model's thresholds; `modelId` may be omitted when the manifest has exactly one. */
export async function readShippedThresholds(manifestPath: string, modelId?: string): Promise<ShippedThresholds> {
  const manifest = ModelManifest.parse(JSON.parse(await readFile(manifestPath, "utf8")));
  const ids = Object.entries(manifest.models)
    .filter(([, m]) => m.role === "embedding" && m.embedding)
    .map(([id]) => id);
  const id = modelId ?? (ids.length === 1 ? ids[0] : undefined);
  if (!id) throw new Error(`${manifestPath}: say which embedding model (${ids.join(", ") || "none declared"})`);
  const emb = manifest.models[id]?.embedding;
  if (!emb) throw new Error(`${manifestPath}: no embedding model '${id}' (have ${ids.join(", ") || "none"})`);
  return {
    modelId: id,
    threshold: emb.threshold,
    operatingFmr: emb.operatingFmr,
    thresholds: emb.thresholds.map((t) => ({ fmr: t.fmr, threshold: t.threshold })),
  };
}

/** The calibrated threshold for one FMR target, if the manifest has one. */
export function shippedThresholdFor(shipped: ShippedThresholds, fmr: number): number | undefined {
  return shipped.thresholds.find((t) => Math.abs(t.fmr - fmr) <= fmr * 1e-9)?.threshold;
}

/**
 * Updates `models[modelId].embedding`: `threshold` and `operatingFmr` (the
 * operating point), `thresholds` (supported targets only, so nothing
 * unsupported can be picked up by code), and `calibration` (provenance).
 * Other embedding fields (dim, metric...) and the rest of the file are kept.
 */
export async function writeManifestThresholds(manifestPath: string, modelId: string, result: CalibrationResult): Promise<void> {
  const before = await readFile(manifestPath, "utf8");
  const after = updateEmbeddingText(before, modelId, (old) => ({
    ...old,
    threshold: result.operating.threshold,
    operatingFmr: result.operating.fmr,
    thresholds: result.thresholds
      .filter((t) => t.supported)
      .map((t) => ({
        fmr: t.fmr,
        threshold: t.threshold,
        impostorPairs: t.impostorPairs,
        falseMatches: t.falseMatches,
        fmrUpper95: round(t.fmrUpper95, 3),
      })),
    ...(result.pipelines.length ? { pipelines: result.pipelines } : {}),
    calibration: result.calibration,
  }));
  const tmp = `${manifestPath}.${process.pid}.tmp`;
  await writeFile(tmp, after);
  await rename(tmp, manifestPath);
}

/** Significant digits, for bounds that need no more. */
function round(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

/**
 * Pure text edit behind writeManifestThresholds: replaces (or adds) the
 * embedding object of one model, checks the result against the manifest
 * schema and that nothing else changed.
 */
export function updateEmbeddingText(text: string, modelId: string, update: (old: Record<string, unknown>) => Record<string, unknown>): string {
  const doc = JSON.parse(text) as { models?: Record<string, { role?: string; embedding?: Record<string, unknown> }> };
  const model = doc.models?.[modelId];
  if (!model) throw new Error(`manifest has no model '${modelId}'`);
  if (model.role !== "embedding") throw new Error(`model '${modelId}' has role '${model.role}', not 'embedding'`);
  const next = update(model.embedding ?? {});

  const root = members(text, skipWs(text, 0));
  const models = root.find((m) => m.key === "models");
  if (!models) throw new Error("manifest has no 'models' object");
  const entry = members(text, models.valueStart).find((m) => m.key === modelId)!;
  const fields = members(text, entry.valueStart);
  const emb = fields.find((m) => m.key === "embedding");
  let out: string;
  if (emb) {
    const col = emb.valueStart - lineStart(text, emb.valueStart);
    const indent = leadingSpace(text, emb.keyStart);
    out = text.slice(0, emb.valueStart) + formatJson(next, indent, col) + text.slice(emb.valueEnd);
  } else {
    const last = fields[fields.length - 1];
    if (!last) throw new Error(`model '${modelId}' is an empty object`);
    const indent = leadingSpace(text, last.keyStart);
    const head = `,\n${indent}"embedding": `;
    out = text.slice(0, last.valueEnd) + head + formatJson(next, indent, indent.length + 13) + text.slice(last.valueEnd);
  }

  const parsed = JSON.parse(out) as typeof doc;
  ModelManifest.parse(parsed);
  const expected = JSON.parse(text) as typeof doc;
  expected.models![modelId]!.embedding = next;
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(expected)), parsed)) {
    throw new Error("manifest edit changed more than the embedding entry (bug)");
  }
  return out;
}

const WIDTH = 120;

/**
 * JSON in the manifest's style: an object or array stays on one line
 * (`{ "a": 1 }`, `[1, 2]`) when it fits in 120 columns, else one member per
 * line, indented by two spaces. Numbers below 0.01 are written as 1e-3, 1.07e-4.
 */
export function formatJson(value: unknown, indent = "", column = 0): string {
  const inline = inlineJson(value);
  if (typeof value !== "object" || value === null || column + inline.length + 1 <= WIDTH) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + formatJson(v, inner, inner.length)).join(",\n")}\n${indent}]`;
  }
  const lines = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return head + formatJson(v, inner, head.length);
    });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(", ")} }`;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
    // Small rates read better (and stay short) in exponent form: 1e-4, 1.07e-4.
    if (value !== 0 && Math.abs(value) < 0.01) return value.toExponential().replace("e+", "e");
  }
  const s = JSON.stringify(value);
  if (s === undefined) throw new Error(`cannot write ${String(value)} as JSON`);
  return s;
}

// A minimal JSON scanner that reports where each member of an object sits.

interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

function lineStart(s: string, i: number): number {
  return s.lastIndexOf("\n", i - 1) + 1;
}

/** The indentation of the line holding offset i. */
function leadingSpace(s: string, i: number): string {
  return /^[ \t]*/.exec(s.slice(lineStart(s, i), i))![0];
}

function scanString(s: string, i: number): number {
  for (let k = i + 1; k < s.length; k++) {
    if (s[k] === "\\") k++;
    else if (s[k] === '"') return k + 1;
  }
  throw new Error("unterminated string in manifest");
}

function scanValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return scanString(s, i);
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    let k = skipWs(s, i + 1);
    if (s[k] === close) return k + 1;
    for (;;) {
      if (c === "{") {
        k = skipWs(s, scanString(s, k));
        k = skipWs(s, k + 1); // ':'
      }
      k = skipWs(s, scanValue(s, k));
      if (s[k] === ",") k = skipWs(s, k + 1);
      else if (s[k] === close) return k + 1;
      else throw new Error(`unexpected '${s[k]}' in manifest at offset ${k}`);
    }
  }
  const m = /^(-?\d[\d.eE+-]*|true|false|null)/.exec(s.slice(i, i + 64));
  if (!m) throw new Error(`unexpected '${c}' in manifest at offset ${i}`);
  return i + m[0].length;
}

function members(s: string, open: number): Member[] {
  if (s[open] !== "{") throw new Error(`expected an object in manifest at offset ${open}`);
  const out: Member[] = [];
  let k = skipWs(s, open + 1);
  if (s[k] === "}") return out;
  for (;;) {
    const keyEnd = scanString(s, k);
    const key = JSON.parse(s.slice(k, keyEnd)) as string;
    const valueStart = skipWs(s, skipWs(s, keyEnd) + 1);
    const valueEnd = scanValue(s, valueStart);
    out.push({ key, keyStart: k, valueStart, valueEnd });
    k = skipWs(s, valueEnd);
    if (s[k] === ",") k = skipWs(s, k + 1);
    else return out;
  }
}

/**
 * Sets (or, with `undefined`, removes) the member at `keys` (object keys
 * from the root; the parent must exist) in the manifest's text, written as
 * formatJson writes it, keeping every other byte. For the PAD calibration
 * (scripts/eval/pad), which owns the `pad` block and the PAD models' entries.
 */
export function setJsonMember(text: string, keys: readonly string[], value: unknown): string {
  if (keys.length === 0) throw new Error("setJsonMember: no key");
  let open = skipWs(text, 0);
  for (const k of keys.slice(0, -1)) {
    const m = members(text, open).find((x) => x.key === k);
    if (!m) throw new Error(`manifest has no '${keys.join(".")}' parent ('${k}' missing)`);
    open = m.valueStart;
  }
  const key = keys[keys.length - 1]!;
  const fields = members(text, open);
  const at = fields.findIndex((m) => m.key === key);
  let out: string;
  if (value === undefined) {
    if (at < 0) return text;
    const m = fields[at]!;
    // Remove the member with the separator before it (or after it, for the first one).
    const from = at > 0 ? fields[at - 1]!.valueEnd : m.keyStart;
    const to = at > 0 ? m.valueEnd : (fields[1]?.keyStart ?? m.valueEnd);
    out = text.slice(0, from) + text.slice(to);
  } else if (at >= 0) {
    const m = fields[at]!;
    const col = m.valueStart - lineStart(text, m.valueStart);
    out = text.slice(0, m.valueStart) + formatJson(value, leadingSpace(text, m.keyStart), col) + text.slice(m.valueEnd);
  } else {
    const last = fields[fields.length - 1];
    if (!last) throw new Error(`'${keys.slice(0, -1).join(".")}' is an empty object`);
    const indent = leadingSpace(text, last.keyStart);
    const head = `,\n${indent}${JSON.stringify(key)}: `;
    out = text.slice(0, last.valueEnd) + head + formatJson(value, indent, indent.length + head.length - 2) + text.slice(last.valueEnd);
  }
  const expected = JSON.parse(text) as Record<string, unknown>;
  let parent = expected;
  for (const k of keys.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(expected)), JSON.parse(out))) throw new Error("manifest edit changed more than the member (bug)");
  ModelManifest.parse(JSON.parse(out));
  return out;
}
