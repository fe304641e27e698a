//! Starting, resuming, rotating and ending sessions.

use super::tokens;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::UserId;
use crate::domain::token::{SessionId, SessionToken};
use crate::models::now;
use crate::models::session::{self, SessionData, SessionRow};
use chrono::Duration;
use diesel::QueryResult;

/// A session lasts 30 days after its last use.
pub const LIFETIME_DAYS: i64 = 30;

/// Creates a session and returns the token for the cookie.
pub fn start(
    conn: &mut DbConn,
    user: Option<UserId>,
    data: &SessionData,
) -> QueryResult<SessionToken> {
    let token = tokens::session_token();
    let t = now();
    session::insert(
        conn,
        &SessionRow {
            id: SessionId::of(&token),
            user_id: user,
            data: serde_json::to_string(data).expect("session data serialises"),
            created_at: t,
            last_seen_at: t,
            expires_at: t + Duration::days(LIFETIME_DAYS),
        },
    )?;
    Ok(token)
}

/// The live session of a cookie token; a used session is extended at most once an hour.
pub fn resume(conn: &mut DbConn, token: &SessionToken) -> QueryResult<Option<SessionRow>> {
    let Some(row) = session::find(conn, &SessionId::of(token))? else {
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
    start(tx, user, data)
}

/// Logging out: the session row is deleted, its token is worth nothing from now on.
pub fn end(conn: &mut DbConn, id: &SessionId) -> QueryResult<()> {
    write_tx(conn, |tx| session::delete(tx, id))
}
