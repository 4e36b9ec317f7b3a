import type { Env } from "../env.js";
import type { EpochRing } from "../crypto/key-epochs.js";
import { unwrapSubjectKey } from "../crypto/keks.js";
import { open, seal } from "../crypto/aead.js";
import { randomBytes } from "../crypto/random.js";
import { subjectKeyEpochAad } from "../crypto/template-aad.js";
import { blob } from "./schema.js";
import { IntegrityError } from "./integrity.js";
import type { SubjectRef } from "./types.js";

/**
 * The subject key (DEK): 32 random bytes that seal this subject's templates,
 * stored only wrapped under the current key epoch (src/crypto/key-epochs.ts).
 * Deleting the one row that holds it crypto-shreds every template of the
 * subject at once; destroying the epoch key makes every copy of that row
 * (backups included) useless too.
 *
 * A row written before key epochs (`epoch` NULL) is wrapped directly under the
 * root KEK version `kek_version`; it still unwraps, and moves to the current
 * epoch on first use like any row under an older epoch.
 */
export interface SubjectKey {
  dek: Uint8Array;
  /** The key was under an older epoch (or the root KEK) and has just been rewrapped under the current epoch. */
  rewrapped: boolean;
}

type KeyRow = { kek_version: number; wrapped: ArrayBuffer; epoch: number | null };

function keyRow(sql: SqlStorage): KeyRow | undefined {
  return sql.exec<KeyRow>("SELECT kek_version, wrapped, epoch FROM subject_key WHERE id = 1").toArray()[0];
}

/** Unwraps the row without changing anything; null if its epoch (or root KEK version) is gone or it does not open. */
export function unwrapKeyRow(env: Env, ring: EpochRing, who: SubjectRef, row: KeyRow): Uint8Array | null {
  if (row.epoch === null) return unwrapSubjectKey(env, who, row.kek_version, new Uint8Array(row.wrapped));
  const ek = ring.byEpoch.get(row.epoch);
  if (!ek) return null;
  const dek = open(ek.key, new Uint8Array(row.wrapped), subjectKeyEpochAad(who.tenant, who.subjectId, row.epoch));
  return dek && dek.length === 32 ? dek : null;
}

function wrapUnderCurrent(ring: EpochRing, who: SubjectRef, dek: Uint8Array): ArrayBuffer {
  const e = ring.current;
  return blob(seal(e.key, dek, subjectKeyEpochAad(who.tenant, who.subjectId, e.epoch)));
}

export function loadSubjectKey(sql: SqlStorage, env: Env, ring: EpochRing, who: SubjectRef): SubjectKey | null {
  const row = keyRow(sql);
  if (!row) return null;
  const dek = unwrapKeyRow(env, ring, who, row);
  if (!dek) throw new IntegrityError("subject key does not unwrap");
  if (row.epoch === ring.current.epoch) return { dek, rewrapped: false };
  // One UPDATE inside the caller's synchronous transaction: never half-rewrapped.
  sql.exec("UPDATE subject_key SET kek_version = 0, epoch = ?, wrapped = ? WHERE id = 1", ring.current.epoch, wrapUnderCurrent(ring, who, dek));
  return { dek, rewrapped: true };
}

export function loadOrCreateSubjectKey(sql: SqlStorage, env: Env, ring: EpochRing, who: SubjectRef): SubjectKey & { created: boolean } {
  const existing = loadSubjectKey(sql, env, ring, who);
  if (existing) return { ...existing, created: false };
  const dek = randomBytes(32);
  sql.exec("INSERT INTO subject_key (id, kek_version, wrapped, epoch) VALUES (1, 0, ?, ?)", wrapUnderCurrent(ring, who, dek), ring.current.epoch);
  return { dek, rewrapped: false, created: true };
}

/** The key's epoch, or null when the subject holds no key (or only a pre-epoch key). */
export function keyEpochOf(sql: SqlStorage): number | null {
  return keyRow(sql)?.epoch ?? null;
}

/** What the subject key depends on, for its registry entry: its epoch, or for a key from before epochs the root KEK version. */
export function keyDependency(sql: SqlStorage): { keyEpoch: number | null; legacyKekVersion: number | null } {
  const row = keyRow(sql);
  return { keyEpoch: row?.epoch ?? null, legacyKekVersion: row && row.epoch === null ? row.kek_version : null };
}

export function hasSubjectKey(sql: SqlStorage): boolean {
  return keyRow(sql) !== undefined;
}

/** The crypto-shred: without this row no template or recent probe of the subject opens again. */
export function clearSubjectKey(sql: SqlStorage): void {
  sql.exec("DELETE FROM subject_key");
}

/** The raw row, for the read-only integrity report. */
export function subjectKeyRow(sql: SqlStorage): KeyRow | undefined {
  return keyRow(sql);
}
