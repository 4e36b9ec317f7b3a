/**
 * The SubjectVault's SQLite schema: one Durable Object per (tenant, subject),
 * so every table holds one subject's data. Single-row tables use
 * `CHECK (id = 1)`. Times are Unix milliseconds. Idempotent: run on every
 * construction and again after deleteAll().
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consent (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  policy_version TEXT NOT NULL,
  purposes TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  retain_until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS subject_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kek_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS templates (
  template_id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
  challenge_id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  nonce TEXT NOT NULL,
  kid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  completed_at INTEGER
);
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lockout (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  locked_until INTEGER NOT NULL
);
`;

export function migrate(sql: SqlStorage): void {
  sql.exec(DDL);
}

/** SQLite BLOBs come back as ArrayBuffer; bind a copy of exactly the view's bytes. */
export function blob(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
