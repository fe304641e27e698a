-- A login from a browser that signed in to this account before carries its device cookie's
-- nonce: its failures are counted apart from everyone else's (domain::login).
ALTER TABLE login_attempts ADD COLUMN device VARCHAR(64);
CREATE INDEX login_attempts_device ON login_attempts (email, device, created_at);
