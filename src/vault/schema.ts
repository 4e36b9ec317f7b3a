/**
 * The SubjectVault's SQLite schema: one Durable Object per (tenant, subject),
 * so every table holds one subject's data. Single-row tables use
 * `CHECK (id = 1)`. Times are Unix milliseconds. Idempotent: run on every
 * construction and again after deleteAll().
 *
 * `audit_outbox`, `registry_outbox` and `erase_outbox` are written in the same synchronous
 * transaction as the decision they describe and flushed to D1 by the alarm
 * (see outbox.ts): the audit trail is exactly as durable as the state.
 *
 * This file only creates and migrates the tables. Each is then read and
 * written by one module (listed in docs/ARCHITECTURE.md), so a table's rules
 * are in one place; subject-state.ts shreds them all through those modules.
 */
/** The audit outbox's columns: the table as created, and as dropOutboxAutoincrement rebuilds it. */
const AUDIT_OUTBOX_COLUMNS = `
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  client_id TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT
`;

/**
 * The challenges table, WITHOUT ROWID: a rowid table keyed by a TEXT id keeps
 * a second b-tree for that key, so issuing and deleting a challenge each wrote
 * two billed rows; here each writes one. `actor`, `client_id` and
 * `issued_request_id` say who asked for it (its audit row is written when it
 * ends, challenges.ts); `issued_seq` orders challenges of one millisecond.
 */
const CHALLENGE_COLUMNS = `
  challenge_id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  nonce TEXT NOT NULL,
  kid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  completed_at INTEGER,
  outcome TEXT,
  request_id TEXT,
  liveness TEXT,
  action TEXT,
  issued_seq INTEGER NOT NULL DEFAULT 0,
  actor TEXT,
  client_id TEXT,
  issued_request_id TEXT
`;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  templates_changed_at INTEGER
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
  wrapped BLOB NOT NULL,
  epoch INTEGER
);
CREATE TABLE IF NOT EXISTS templates (
  template_id TEXT PRIMARY KEY,
  model_id TEXT NOT NULL,
  sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  anchor INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS challenges (${CHALLENGE_COLUMNS}) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lock_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  locked_until INTEGER,
  hard INTEGER NOT NULL DEFAULT 0,
  streak_after INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS locks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  seconds INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recent_probes (
  slot INTEGER PRIMARY KEY,
  model_id TEXT NOT NULL,
  sealed BLOB NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
  credential_id TEXT PRIMARY KEY,
  public_key BLOB NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS erase_outbox (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  pseudonym TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_outbox (${AUDIT_OUTBOX_COLUMNS});
CREATE TABLE IF NOT EXISTS registry_outbox (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  rev INTEGER NOT NULL
);
`;

/**
 * Columns added after a table first shipped: vaults created earlier get them
 * on construction. New vaults have them in DDL already (each ALTER is a billed
 * row written, on every new vault).
 */
const ADDED_COLUMNS: [table: string, column: string, type: string][] = [
  // The outcome of the attempt that consumed the challenge and that request's id: written in the
  // same transaction as `used_at`, so "consumed without an outcome" is never visible.
  ["challenges", "outcome", "TEXT"],
  ["challenges", "request_id", "TEXT"],
  // What a verify challenge asks the attempt to show (protocol/liveness.ts): a level and, when active, an action.
  ["challenges", "liveness", "TEXT"],
  ["challenges", "action", "TEXT"],
  // The first template of a model anchors every decision (match-rule.ts).
  ["templates", "anchor", "INTEGER NOT NULL DEFAULT 0"],
  // The key epoch the subject key is wrapped under; NULL for a key from before epochs.
  ["subject_key", "epoch", "INTEGER"],
  // When the template set last changed (shown to the relying party, so it can tell the user).
  ["meta", "templates_changed_at", "INTEGER"],
];

export function migrate(sql: SqlStorage): void {
  sql.exec(DDL);
  for (const [table, column, type] of ADDED_COLUMNS) {
    const has = sql.exec("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", table, column).toArray().length > 0;
    if (!has) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  // Vaults from before anchors: the oldest template of each model becomes its anchor.
  sql.exec(
    `UPDATE templates SET anchor = 1 WHERE template_id IN (
       SELECT (SELECT x.template_id FROM templates x WHERE x.model_id = m.model_id ORDER BY x.created_at, x.template_id LIMIT 1)
       FROM (SELECT DISTINCT model_id FROM templates) m
       WHERE NOT EXISTS (SELECT 1 FROM templates a WHERE a.model_id = m.model_id AND a.anchor = 1))`,
  );
  // The lock of the first release (a single lock row, no escalation) gives way to lock_state.
  sql.exec("DROP TABLE IF EXISTS lockout");
  dropOutboxAutoincrement(sql);
  challengesWithoutRowid(sql);
}

/**
 * Vaults from before the WITHOUT ROWID challenges table get it, with their
 * challenges, in one step: each keeps its state, and its rowid becomes its
 * issued_seq. Their `actor` stays NULL: those were audited when issued.
 */
function challengesWithoutRowid(sql: SqlStorage): void {
  const ddl = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'challenges'").toArray()[0]?.sql ?? "";
  if (/WITHOUT ROWID/i.test(ddl)) return;
  const kept = "challenge_id, tenant, subject_id, purpose, nonce, kid, created_at, expires_at, used_at, completed_at, outcome, request_id, liveness, action";
  sql.exec(`CREATE TABLE challenges_next (${CHALLENGE_COLUMNS}) WITHOUT ROWID`);
  sql.exec(`INSERT INTO challenges_next (${kept}, issued_seq) SELECT ${kept}, rowid FROM challenges`);
  sql.exec("DROP TABLE challenges");
  sql.exec("ALTER TABLE challenges_next RENAME TO challenges");
}

/**
 * The audit outbox was created with AUTOINCREMENT, which writes a second row
 * (in sqlite_sequence) for every audit row appended, a billed row write on
 * every decision. A plain INTEGER PRIMARY KEY keeps what the flush relies on:
 * a row appended while a batch is out gets a larger seq than every row of
 * that batch (they are still in the table until it is acknowledged), so
 * `ackBatch` deletes exactly what was sent. A seq may be reused only once the
 * table is empty, when no batch is out (flushes run one at a time). Older
 * vaults get the new table, with their pending rows and seqs, in one step.
 */
function dropOutboxAutoincrement(sql: SqlStorage): void {
  const ddl = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_outbox'").toArray()[0]?.sql ?? "";
  if (!/AUTOINCREMENT/i.test(ddl)) return;
  const columns = "seq, event_id, at, tenant, subject_id, actor, client_id, action, outcome, request_id";
  sql.exec(`CREATE TABLE audit_outbox_next (${AUDIT_OUTBOX_COLUMNS})`);
  sql.exec(`INSERT INTO audit_outbox_next (${columns}) SELECT ${columns} FROM audit_outbox`);
  sql.exec("DROP TABLE audit_outbox");
  sql.exec("ALTER TABLE audit_outbox_next RENAME TO audit_outbox");
}

/** SQLite BLOBs come back as ArrayBuffer; bind a copy of exactly the view's bytes. */
export function blob(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
