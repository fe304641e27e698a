-- A customer's account is confirmed by a link sent to its e-mail address; accounts that exist
-- already count as confirmed.
ALTER TABLE users ADD COLUMN email_verified_at DATETIME(6) NULL;
UPDATE users SET email_verified_at = created_at;

-- One-time links sent by e-mail: confirming an e-mail address, setting a new password. Only
-- the SHA-256 of the token is kept. A confirmation link carries the details of its own
-- registration (name, phone, password hash), applied only when that very link is opened: a
-- second registration of the same address cannot replace the first one's password.
CREATE TABLE account_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    purpose VARCHAR(20) NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password')),
    token_hash VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6),
    created_at DATETIME(6) NOT NULL,
    pending_name VARCHAR(120),
    pending_phone VARCHAR(20),
    pending_password_hash VARCHAR(255),
    FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, created_at);
