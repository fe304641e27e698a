//! Login attempts, kept a day to slow down password guessing (domain::login).

use crate::db::schema::login_attempts as a;
use crate::db::DbConn;
use crate::domain::login::{Pressure, Streak, IP_WINDOW_MIN, WINDOW_MIN};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

/// Who tried: the e-mail typed, the client's address, and the device nonce when the browser
/// carries a device cookie of that e-mail.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    pub email: &'a str,
    pub ip: &'a str,
    pub device: Option<&'a str>,
}

/// Failures after the last success (within `since`), and when the last failure was.
macro_rules! streak_of {
    ($conn:expr, $filtered:expr, $since:expr) => {{
        let last_success: Option<NaiveDateTime> = $filtered
            .filter(a::succeeded.eq(true))
            .select(diesel::dsl::max(a::created_at))
            .first($conn)?;
        let from = last_success.map_or($since, |t| t.max($since));
        let (failures, last): (i64, Option<NaiveDateTime>) = $filtered
            .filter(a::succeeded.eq(false))
            .filter(a::created_at.gt(from))
            .select((diesel::dsl::count_star(), diesel::dsl::max(a::created_at)))
            .first($conn)?;
        Streak {
            failures: failures as u32,
            last,
        }
    }};
}

/// Everything `domain::login::may_try` weighs, for one attempt at `now`.
pub fn pressure(conn: &mut DbConn, c: Client<'_>, now: NaiveDateTime) -> QueryResult<Pressure> {
    let since = now - Duration::minutes(WINDOW_MIN);
    let pair = match c.device {
        Some(device) => streak_of!(
            conn,
            a::table
                .filter(a::email.eq(c.email))
                .filter(a::device.eq(device)),
            since
        ),
        None => streak_of!(
            conn,
            a::table
                .filter(a::email.eq(c.email))
                .filter(a::ip.eq(c.ip))
                .filter(a::device.is_null()),
            since
        ),
    };
    let account = streak_of!(
        conn,
        a::table
            .filter(a::email.eq(c.email))
            .filter(a::device.is_null()),
        since
    );
    let ip_failures: i64 = a::table
        .filter(a::ip.eq(c.ip))
        .filter(a::succeeded.eq(false))
        .filter(a::device.is_null())
        .filter(a::created_at.gt(now - Duration::minutes(IP_WINDOW_MIN)))
        .count()
        .get_result(conn)?;
    Ok(Pressure {
        pair,
        trusted_device: c.device.is_some(),
        account,
        ip_failures: ip_failures as u32,
    })
}

/// Records a try; returns its id.
pub fn insert(
    conn: &mut DbConn,
    c: Client<'_>,
    succeeded: bool,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    let email: String = c.email.chars().take(254).collect();
    diesel::insert_into(a::table)
        .values((
            a::email.eq(email),
            a::ip.eq(c.ip),
            a::device.eq(c.device),
            a::succeeded.eq(succeeded),
            a::created_at.eq(at),
        ))
        .execute(conn)?;
    crate::db::last_insert_id(conn)
}

/// A try whose password matched.
pub fn set_succeeded(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(a::table.find(id))
        .set(a::succeeded.eq(true))
        .execute(conn)
        .map(drop)
}

pub fn delete_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(a::table.filter(a::created_at.lt(before))).execute(conn)
}

pub fn delete_of_email(conn: &mut DbConn, email: &str) -> QueryResult<usize> {
    diesel::delete(a::table.filter(a::email.eq(email))).execute(conn)
}
