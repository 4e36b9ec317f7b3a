-- The audit log keyed by (at, event_id), WITHOUT ROWID. Inserting a row wrote
-- three billed D1 rows (the row, the unique index on event_id and the subject
-- index); now two (the row in its key order, and the subject index). The key
-- also orders rows by time, so the retention deletes exactly the rows past it
-- (a range of the key) instead of finding them by insertion order. A replayed
-- flush carries the same time and event id, so INSERT OR IGNORE still inserts
-- nothing twice. Rows from before 0002 have no event_id and get their old id.
-- This copies the table once: on a large log, run it in a quiet hour.
CREATE TABLE audit_log_next (
  at TEXT NOT NULL,
  event_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  client_id TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT,
  PRIMARY KEY (at, event_id)
) WITHOUT ROWID;
INSERT INTO audit_log_next (at, event_id, tenant, subject_id, actor, client_id, action, outcome, request_id)
  SELECT at, COALESCE(event_id, 'legacy:' || id), tenant, subject_id, actor, client_id, action, outcome, request_id FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX audit_log_subject ON audit_log (tenant, subject_id, at);
