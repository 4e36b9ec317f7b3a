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
export function loadSubjectKey(sql: SqlStorage, env: Env, who: SubjectRef): Uint8Array | null {
  const row = sql
    .exec<{ kek_version: number; wrapped: ArrayBuffer }>("SELECT kek_version, wrapped FROM subject_key WHERE id = 1")
    .toArray()[0];
  if (!row) return null;
  const dek = unwrapSubjectKey(env, who, row.kek_version, new Uint8Array(row.wrapped));
  if (!dek) throw new IntegrityError("subject key does not unwrap");
  const kek = currentKek(env);
  if (row.kek_version !== kek.version) {
    // Rotation: rewrap under the current KEK on use. One UPDATE inside the
    // caller's synchronous transaction, so the row is never half-rewrapped.
    sql.exec(
      "UPDATE subject_key SET kek_version = ?, wrapped = ? WHERE id = 1",
      kek.version,
      blob(wrapSubjectKey(kek, who, dek)),
    );
  }
  return dek;
}

export function loadOrCreateSubjectKey(sql: SqlStorage, env: Env, who: SubjectRef): Uint8Array {
  const existing = loadSubjectKey(sql, env, who);
  if (existing) return existing;
  const dek = randomBytes(32);
  const kek = currentKek(env);
  sql.exec(
    "INSERT INTO subject_key (id, kek_version, wrapped) VALUES (1, ?, ?)",
    kek.version,
    blob(wrapSubjectKey(kek, who, dek)),
  );
  return dek;
}
