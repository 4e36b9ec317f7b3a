import { open, seal } from "../crypto/aead.js";
import { PROTOCOL } from "../protocol/version.js";
import { bytesToEmbedding, embeddingToBytes } from "../protocol/envelope.js";
import { blob } from "./schema.js";
import { IntegrityError } from "./integrity.js";
import type { SubjectRef } from "./types.js";

/**
 * The last accepted probes of a subject, sealed under the subject key like
 * its templates: replay refusal compares a new probe with them too
 * (match-rule.ts). A ring of RECENT_PROBES slots; the oldest is overwritten.
 * Biometric data: shredded with the subject, never shown.
 */
export const RECENT_PROBES = 8;

const utf8 = new TextEncoder();

/** A sealed probe opens only in its subject's vault, in its slot, for its model and time. */
function probeAad(who: SubjectRef, slot: number, modelId: string, at: number): Uint8Array {
  return utf8.encode([PROTOCOL, "recent-probe", who.tenant, who.subjectId, String(slot), modelId, String(at)].join("|"));
}

export function rememberProbe(sql: SqlStorage, dek: Uint8Array, who: SubjectRef, modelId: string, probe: Float32Array, now: number): void {
  const used = sql.exec<{ slot: number; at: number }>("SELECT slot, at FROM recent_probes ORDER BY at, slot").toArray();
  const free = [...Array(RECENT_PROBES).keys()].find((s) => !used.some((u) => u.slot === s));
  const slot = free ?? used[0]!.slot;
  sql.exec(
    `INSERT INTO recent_probes (slot, model_id, sealed, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (slot) DO UPDATE SET model_id = excluded.model_id, sealed = excluded.sealed, at = excluded.at`,
    slot,
    modelId,
    blob(seal(dek, embeddingToBytes(probe), probeAad(who, slot, modelId, now))),
    now,
  );
}

export function recentProbes(sql: SqlStorage, dek: Uint8Array, who: SubjectRef, modelId: string, dim: number): Float32Array[] {
  return sql
    .exec<{ slot: number; sealed: ArrayBuffer; at: number }>("SELECT slot, sealed, at FROM recent_probes WHERE model_id = ?", modelId)
    .toArray()
    .map((r) => {
      const plain = open(dek, new Uint8Array(r.sealed), probeAad(who, r.slot, modelId, r.at));
      const e = plain ? bytesToEmbedding(plain, dim) : null;
      plain?.fill(0);
      if (!e) throw new IntegrityError("a recent probe does not open");
      return e;
    });
}

export function hasRecentProbes(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM recent_probes LIMIT 1").toArray().length > 0;
}

export function clearRecentProbes(sql: SqlStorage): void {
  sql.exec("DELETE FROM recent_probes");
}
