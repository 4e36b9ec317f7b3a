import { blob } from "./schema.js";

/**
 * The subject's passkeys (WebAuthn credentials), kept with its templates and
 * shredded with them: credential id, COSE public key, signature counter,
 * transports. Not secret, but bound to the subject's face, so they live and
 * die in its vault.
 */
export interface StoredCredential {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
}

type Row = { credential_id: string; public_key: ArrayBuffer; counter: number; transports: string };

const toCredential = (r: Row): StoredCredential => ({
  id: r.credential_id,
  publicKey: new Uint8Array(r.public_key),
  counter: r.counter,
  transports: JSON.parse(r.transports) as string[],
});

export function listCredentials(sql: SqlStorage): StoredCredential[] {
  return sql.exec<Row>("SELECT credential_id, public_key, counter, transports FROM credentials ORDER BY created_at").toArray().map(toCredential);
}

export function findCredential(sql: SqlStorage, id: string): StoredCredential | null {
  const r = sql.exec<Row>("SELECT credential_id, public_key, counter, transports FROM credentials WHERE credential_id = ?", id).toArray()[0];
  return r ? toCredential(r) : null;
}

export function insertCredential(sql: SqlStorage, c: StoredCredential, now: number): void {
  sql.exec(
    "INSERT INTO credentials (credential_id, public_key, counter, transports, created_at) VALUES (?, ?, ?, ?, ?)",
    c.id,
    blob(c.publicKey),
    c.counter,
    JSON.stringify(c.transports),
    now,
  );
}

/**
 * Records a use: the authenticator's signature counter must move forward
 * (WebAuthn §6.1.1), unless it never counts (both 0). A counter that does not
 * means a cloned authenticator or a replayed assertion: refused, and the
 * caller audits it. Synchronous, so concurrent uses are ordered.
 */
export function advanceCounter(sql: SqlStorage, id: string, next: number): "ok" | "regression" {
  const c = findCredential(sql, id);
  if (!c) return "regression";
  if ((next !== 0 || c.counter !== 0) && next <= c.counter) return "regression";
  if (next !== c.counter) sql.exec("UPDATE credentials SET counter = ? WHERE credential_id = ?", next, id);
  return "ok";
}

export function hasCredentials(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM credentials LIMIT 1").toArray().length > 0;
}

export function clearCredentials(sql: SqlStorage): void {
  sql.exec("DELETE FROM credentials");
}
