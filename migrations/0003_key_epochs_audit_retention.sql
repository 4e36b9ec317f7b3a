-- Key epochs (src/crypto/key-epochs.ts): subject keys are wrapped under the
-- current epoch's random key, itself wrapped under the root KEK (TEMPLATE_KEKS
-- version kek_version). Deleting an epoch's row destroys every copy of what it
-- wrapped. No biometric data.
CREATE TABLE key_epochs (
  epoch INTEGER PRIMARY KEY,
  kek_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

-- The registry now says which epoch a subject's key is under (kek_version stays
-- for keys from before epochs, which are wrapped directly under a root KEK).
ALTER TABLE subject_registry ADD COLUMN key_epoch INTEGER;
CREATE INDEX subject_registry_epoch ON subject_registry (key_epoch);

-- Audit retention: the hourly cron deletes rows older than AUDIT_RETENTION_DAYS.
CREATE INDEX audit_log_at ON audit_log (at);
