//! Customer accounts: registration, login with throttling, saved addresses.

use crate::db::schema::login_attempts;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::UserId;
use crate::models::now;
use crate::models::session::SessionRow;
use crate::models::user::{self, NewUser};
use crate::services::sessions;
use crate::services::users::UserError;
use chrono::Duration;
use diesel::prelude::*;

/// Failed logins allowed per e-mail, and per address, within the window.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 30;
pub const WINDOW_MINUTES: i64 = 15;

pub struct Registration<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
}

/// Creates a customer account and logs it in (a new session, keeping the cart).
pub fn register(
    conn: &mut DbConn,
    r: &Registration<'_>,
    old: Option<&SessionRow>,
    csrf: &str,
) -> Result<(UserId, String), UserError> {
    write_tx(conn, |tx| {
        if user::email_taken(tx, r.email)? {
            return Err(UserError::EmailTaken);
        }
        let row = NewUser {
            email: r.email,
            password_hash: r.password_hash,
            full_name: r.full_name,
            phone: r.phone,
            is_admin: false,
            active: true,
            created_at: now(),
        };
        let id = user::insert(tx, &row).map_err(|e| match e {
            // Two registrations of one address at the same moment: the second is told plainly.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => UserError::EmailTaken,
            other => UserError::Db(other),
        })?;
        let token = log_in(tx, id, r.full_name, old, csrf)?;
        Ok((id, token))
    })
}

/// A fresh session for `user`, replacing the visitor's: returns the new cookie token.
pub fn log_in(
    tx: &mut DbConn,
    user: UserId,
    name: &str,
    old: Option<&SessionRow>,
    csrf: &str,
) -> QueryResult<String> {
    let token = sessions::rotate(tx, old, Some(user), csrf)?;
    let id = sessions::hash_token(&token);
    let mut data = crate::models::session::find(tx, &id)?
        .map(|s| s.data())
        .unwrap_or_default();
    data.user_name = Some(name.to_string());
    crate::models::session::save_data(tx, &id, &data)?;
    Ok(token)
}

/// Whether this e-mail or this address failed too often lately.
pub fn throttled(conn: &mut DbConn, email: &str, ip: &str) -> QueryResult<bool> {
    let since = now() - Duration::minutes(WINDOW_MINUTES);
    let recent = login_attempts::table
        .filter(login_attempts::created_at.gt(since))
        .filter(login_attempts::succeeded.eq(false));
    let by_email: i64 = recent
        .filter(login_attempts::email.eq(email))
        .count()
        .get_result(conn)?;
    let by_ip: i64 = recent
        .filter(login_attempts::ip.eq(ip))
        .count()
        .get_result(conn)?;
    Ok(by_email >= MAX_FAILURES_PER_EMAIL || by_ip >= MAX_FAILURES_PER_IP)
}

pub fn record_attempt(
    conn: &mut DbConn,
    email: &str,
    ip: &str,
    succeeded: bool,
) -> QueryResult<()> {
    let email: String = email.chars().take(254).collect();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email.eq(email),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Login attempts older than a day say nothing any more.
pub fn forget_attempts(conn: &mut DbConn, now: chrono::NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_attempts::table.filter(login_attempts::created_at.lt(now - Duration::days(1))),
    )
    .execute(conn)
}
