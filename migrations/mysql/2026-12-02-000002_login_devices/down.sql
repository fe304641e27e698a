DROP INDEX login_attempts_device ON login_attempts;
ALTER TABLE login_attempts DROP COLUMN device;
