//! Starting, rotating and ending sessions.

use crate::db::DbConn;
use crate::domain::ids::UserId;
use crate::models::now;
use crate::models::session::{self, SessionData, SessionRow};
use base64::Engine;
use chrono::Duration;
use diesel::QueryResult;
use sha2::{Digest, Sha256};

/// A session lasts 30 days after its last use.
pub const LIFETIME_DAYS: i64 = 30;

/// A random token of 256 bits, URL-safe.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The key under which a session token is stored.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a session and returns the token for the cookie.
pub fn start(
    conn: &mut DbConn,
    user: Option<UserId>,
    csrf: &str,
    data: &SessionData,
) -> QueryResult<String> {
    let token = random_token();
    let t = now();
    session::insert(
        conn,
        &SessionRow {
            id: hash_token(&token),
            user_id: user.map(|u| u.0),
            csrf_token: csrf.to_string(),
            data: serde_json::to_string(data).expect("session data serialises"),
            created_at: t,
            last_seen_at: t,
            expires_at: t + Duration::days(LIFETIME_DAYS),
        },
    )?;
    Ok(token)
}

/// The live session of a cookie token; a used session is extended at most once an hour.
pub fn resume(conn: &mut DbConn, token: &str) -> QueryResult<Option<SessionRow>> {
    if token.len() != 43 {
        return Ok(None);
    }
    let Some(row) = session::find(conn, &hash_token(token))? else {
        return Ok(None);
    };
    let t = now();
    if row.expires_at <= t {
        session::delete(conn, &row.id)?;
        return Ok(None);
    }
    if t - row.last_seen_at > Duration::hours(1) {
        session::touch(conn, &row.id, t, t + Duration::days(LIFETIME_DAYS))?;
    }
    Ok(Some(row))
}

/// Replaces a session by a new one (new token) for `user`, keeping its data: used at login and
/// logout so that a token seen before never grants the new rights.
pub fn rotate(
    conn: &mut DbConn,
    old: Option<&SessionRow>,
    user: Option<UserId>,
    csrf: &str,
) -> QueryResult<String> {
    let data = old.map(SessionRow::data).unwrap_or_default();
    if let Some(old) = old {
        session::delete(conn, &old.id)?;
    }
    start(conn, user, csrf, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_stored_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }
}
