//! Starting, resuming, rotating and ending sessions.

use super::tokens;
use crate::db::{is_retryable, write_tx, DbConn};
use crate::domain::ids::UserId;
use crate::domain::token::{SessionId, SessionToken};
use crate::models::now;
use crate::models::session::{self, SessionData, SessionRow};
use chrono::Duration;
use diesel::QueryResult;

/// A session lasts 30 days after its last use.
pub const LIFETIME_DAYS: i64 = 30;
/// A guest's new session lasts this long until its browser comes back with it: a client that
/// never keeps cookies (a bot adding to carts) leaves rows that expire within hours.
pub const GUEST_HOURS: i64 = 6;

/// Creates a session and returns the token for the cookie.
pub fn start(
    conn: &mut DbConn,
    user: Option<UserId>,
    data: &SessionData,
) -> QueryResult<SessionToken> {
    write_tx(conn, |tx| start_in(tx, user, data))
}

/// The same, inside the caller's transaction.
fn start_in(
    tx: &mut DbConn,
    user: Option<UserId>,
    data: &SessionData,
) -> QueryResult<SessionToken> {
    let token = tokens::session_token();
    let t = now();
    let lifetime = match user {
        Some(_) => Duration::days(LIFETIME_DAYS),
        None => Duration::hours(GUEST_HOURS),
    };
    session::insert(
        tx,
        &SessionRow {
            id: SessionId::of(&token),
            user_id: user,
            data: serde_json::to_string(data).expect("session data serialises"),
            created_at: t,
            last_seen_at: t,
            expires_at: t + lifetime,
        },
    )?;
    Ok(token)
}

/// The live session of a cookie token; a used session is extended at most once an hour, and a
/// guest's short first lifetime becomes a full one when its browser comes back with it.
pub fn resume(conn: &mut DbConn, token: &SessionToken) -> QueryResult<Option<SessionRow>> {
    let Some(row) = session::find(conn, &SessionId::of(token))? else {
        return Ok(None);
    };
    let t = now();
    if row.expires_at <= t {
        write_tx(conn, |tx| session::delete(tx, &row.id))?;
        return Ok(None);
    }
    let short_lived = row.expires_at - t < Duration::days(1);
    if short_lived || t - row.last_seen_at > Duration::hours(1) {
        let expires = t + Duration::days(LIFETIME_DAYS);
        write_tx(conn, |tx| session::touch(tx, &row.id, t, expires))?;
    }
    Ok(Some(row))
}

/// `resume`, tried again a few times when the database is momentarily busy: a failure is an
/// error for the caller, never "no session" (a customer must not silently lose a cart).
pub fn resume_patiently(
    conn: &mut DbConn,
    token: &SessionToken,
) -> QueryResult<Option<SessionRow>> {
    let mut attempt = 0;
    loop {
        match resume(conn, token) {
            Err(e) if attempt < 3 && is_retryable(&e) => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
            }
            other => return other,
        }
    }
}

/// Replaces a session by a new one (new token) for `user`, keeping its data: used at login so
/// that a token seen before never grants the new rights. Inside the caller's transaction.
pub fn rotate_in(
    tx: &mut DbConn,
    old: Option<&SessionRow>,
    user: Option<UserId>,
    data: &SessionData,
) -> QueryResult<SessionToken> {
    if let Some(old) = old {
        session::delete(tx, &old.id)?;
    }
    start_in(tx, user, data)
}

/// Logging out: the session row is deleted, its token is worth nothing from now on.
pub fn end(conn: &mut DbConn, id: &SessionId) -> QueryResult<()> {
    write_tx(conn, |tx| session::delete(tx, id))
}
