-- The CSRF token lives in an encrypted cookie of its own (docs/decisions/0005-csrf-token-in-an-encrypted-cookie.md);
-- the session row never needed a copy.
ALTER TABLE sessions DROP COLUMN csrf_token;
