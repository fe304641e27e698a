//! Login attempts, kept a day to slow down password guessing.

use crate::db::schema::login_attempts;
use crate::db::DbConn;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Failed attempts since `since`: (for this e-mail, from this address).
pub fn failures_since(
    conn: &mut DbConn,
    email: &str,
    ip: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
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
    Ok((by_email, by_ip))
}

pub fn insert(
    conn: &mut DbConn,
    email: &str,
    ip: &str,
    succeeded: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let email: String = email.chars().take(254).collect();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email.eq(email),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(before)))
        .execute(conn)
}
