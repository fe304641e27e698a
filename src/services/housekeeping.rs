//! What is deleted when it no longer serves: expired sessions, login attempts older than a
//! day, checkout keys older than two days.

use crate::db::{write_tx, DbConn};
use crate::models::{idempotency, login_attempt, session};
use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

/// A checkout form is replayed for this long.
pub const CHECKOUT_KEY_DAYS: i64 = 2;
/// Login attempts older than this say nothing any more.
pub const LOGIN_ATTEMPT_DAYS: i64 = 1;

/// How many rows of each kind one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub sessions: usize,
    pub login_attempts: usize,
    pub checkout_keys: usize,
}

/// One run now.
pub fn clean_now(conn: &mut DbConn) -> QueryResult<Cleaned> {
    clean(conn, crate::models::now())
}

/// One run, in one transaction.
pub fn clean(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Cleaned> {
    write_tx(conn, |tx| {
        Ok(Cleaned {
            sessions: session::delete_expired(tx, now)?,
            login_attempts: login_attempt::delete_before(
                tx,
                now - Duration::days(LOGIN_ATTEMPT_DAYS),
            )?,
            checkout_keys: idempotency::delete_checkout_keys_before(
                tx,
                now - Duration::days(CHECKOUT_KEY_DAYS),
            )?,
        })
    })
}
