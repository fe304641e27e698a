-- The worker holding a message (its id) until locked_until: a message is sent by the worker
-- that claimed it, and its outcome recorded only by that worker.
ALTER TABLE email_outbox ADD COLUMN claimed_by VARCHAR(64) NULL;
