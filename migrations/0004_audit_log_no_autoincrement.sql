-- AUTOINCREMENT writes a row of sqlite_sequence with every audit row, a billed
-- row written each time. A plain INTEGER PRIMARY KEY still gives each row a
-- larger id than every row present (the audit retention deletes only the
-- oldest rows), so ORDER BY id keeps meaning insertion order.
CREATE TABLE audit_log_next (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  client_id TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT,
  event_id TEXT
);
INSERT INTO audit_log_next (id, at, tenant, subject_id, actor, client_id, action, outcome, request_id, event_id)
  SELECT id, at, tenant, subject_id, actor, client_id, action, outcome, request_id, event_id FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX audit_log_subject ON audit_log (tenant, subject_id, at);
CREATE UNIQUE INDEX audit_log_event ON audit_log (event_id);
CREATE INDEX audit_log_at ON audit_log (at);
