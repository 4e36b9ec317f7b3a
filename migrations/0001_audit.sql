-- Audit log: who did what to which subject, when, and the outcome.
-- Never biometric data, scores, keys or tokens.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  -- The relying party (token azp / client_id) that acted, when the token names one.
  client_id TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT
);
CREATE INDEX audit_log_subject ON audit_log (tenant, subject_id, at);
