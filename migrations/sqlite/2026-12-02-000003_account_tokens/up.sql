-- A customer's account is confirmed by a link sent to its e-mail address; accounts that exist
-- already count as confirmed.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
UPDATE users SET email_verified_at = created_at;

-- One-time links sent by e-mail: confirming an e-mail address, setting a new password. Only
-- the SHA-256 of the token is kept. A confirmation link carries the details of its own
-- registration (name, phone, password hash), applied only when that very link is opened: a
-- second registration of the same address cannot replace the first one's password.
CREATE TABLE account_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    purpose VARCHAR(20) NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password')),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    pending_name VARCHAR(120),
    pending_phone VARCHAR(20),
    pending_password_hash VARCHAR(255)
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, created_at);
