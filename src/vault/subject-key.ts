import type { Env } from "../env.js";
import { currentKek, unwrapSubjectKey, wrapSubjectKey } from "../crypto/keks.js";
import { randomBytes } from "../crypto/random.js";
import { blob } from "./schema.js";
import { IntegrityError } from "./integrity.js";
import type { SubjectRef } from "./types.js";

/**
 * The subject key (DEK): 32 random bytes that seal this subject's templates,
 * stored only wrapped under a versioned KEK. Deleting the one row that holds
 * it crypto-shreds every template of the subject.
 */
export interface SubjectKey {
  dek: Uint8Array;
  /** The key was wrapped under an older KEK and has just been rewrapped under the current one. */
  rewrapped: boolean;
}

export function loadSubjectKey(sql: SqlStorage, env: Env, who: SubjectRef): SubjectKey | null {
  const row = sql
    .exec<{ kek_version: number; wrapped: ArrayBuffer }>("SELECT kek_version, wrapped FROM subject_key WHERE id = 1")
    .toArray()[0];
  if (!row) return null;
  const dek = unwrapSubjectKey(env, who, row.kek_version, new Uint8Array(row.wrapped));
  if (!dek) throw new IntegrityError("subject key does not unwrap");
  const kek = currentKek(env);
  if (row.kek_version === kek.version) return { dek, rewrapped: false };
  // Rotation: rewrap under the current KEK on use. One UPDATE inside the
  // caller's synchronous transaction, so the row is never half-rewrapped.
  sql.exec(
    "UPDATE subject_key SET kek_version = ?, wrapped = ? WHERE id = 1",
    kek.version,
    blob(wrapSubjectKey(kek, who, dek)),
  );
  return { dek, rewrapped: true };
}

export function loadOrCreateSubjectKey(sql: SqlStorage, env: Env, who: SubjectRef): SubjectKey & { created: boolean } {
  const existing = loadSubjectKey(sql, env, who);
  if (existing) return { ...existing, created: false };
  const dek = randomBytes(32);
  const kek = currentKek(env);
  sql.exec(
    "INSERT INTO subject_key (id, kek_version, wrapped) VALUES (1, ?, ?)",
    kek.version,
    blob(wrapSubjectKey(kek, who, dek)),
  );
  return { dek, rewrapped: false, created: true };
}

export function kekVersion(sql: SqlStorage): number | null {
  return sql.exec<{ kek_version: number }>("SELECT kek_version FROM subject_key").toArray()[0]?.kek_version ?? null;
}
