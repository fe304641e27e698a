//! What is deleted when it no longer serves: expired sessions, login attempts older than a
//! day, checkout keys older than two days, expired e-mail links, registrations never confirmed.

use crate::db::{write_tx, DbConn};
use crate::models::{account_token, idempotency, login_attempt, session, user};
use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

/// A checkout form is replayed for this long.
pub const CHECKOUT_KEY_DAYS: i64 = 2;
/// Login attempts older than this say nothing any more.
pub const LOGIN_ATTEMPT_DAYS: i64 = 1;
/// A registration not confirmed within this many days is forgotten.
pub const UNCONFIRMED_DAYS: i64 = 7;

/// How many rows of each kind one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub sessions: usize,
    pub login_attempts: usize,
    pub checkout_keys: usize,
    pub account_links: usize,
    pub unconfirmed_accounts: usize,
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
            account_links: account_token::delete_expired(tx, now)?,
            unconfirmed_accounts: user::delete_unconfirmed_before(
                tx,
                now - Duration::days(UNCONFIRMED_DAYS),
            )?,
        })
    })
}
