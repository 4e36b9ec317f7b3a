-- Audit rows now arrive from each subject vault's outbox (flushed in batches by
-- its alarm). event_id makes a replayed flush insert nothing twice
-- (INSERT OR IGNORE); rows written before this migration have none.
ALTER TABLE audit_log ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX audit_log_event ON audit_log (event_id);

-- Subject registry: the retention cron and the KEK rewrap find vaults here (a
-- worker cannot list Durable Objects). Maintained through the vaults' outboxes.
-- No biometric data: ids, the retention deadline and the KEK version only.
CREATE TABLE subject_registry (
  tenant TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  retain_until INTEGER NOT NULL,
  kek_version INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, subject_id)
);
CREATE INDEX subject_registry_due ON subject_registry (retain_until);
CREATE INDEX subject_registry_kek ON subject_registry (kek_version);
