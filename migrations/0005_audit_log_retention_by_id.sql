-- The audit retention finds the rows to delete by id (src/audit/audit-log.ts,
-- purgeAuditLog), so the index on `at` is no longer read. Every audit row
-- inserted or deleted wrote an entry in it: a billed D1 row each time.
DROP INDEX IF EXISTS audit_log_at;
