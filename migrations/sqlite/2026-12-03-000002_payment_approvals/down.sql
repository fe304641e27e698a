ALTER TABLE payments DROP COLUMN approved_at;
