ALTER TABLE email_outbox DROP COLUMN claimed_by;
