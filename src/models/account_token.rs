//! One-time links sent by e-mail, kept as the hash of their token.

use crate::db::schema::account_tokens as t;
use crate::db::DbConn;
use crate::domain::account::LinkPurpose;
use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The details a registration link carries, applied when it is opened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable)]
pub struct Pending {
    pub full_name: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
}

pub fn insert(
    conn: &mut DbConn,
    user: UserId,
    purpose: LinkPurpose,
    hash: &str,
    (expires, now): (NaiveDateTime, NaiveDateTime),
    pending: &Pending,
) -> QueryResult<()> {
    diesel::insert_into(t::table)
        .values((
            t::user_id.eq(user),
            t::purpose.eq(purpose),
            t::token_hash.eq(hash),
            t::expires_at.eq(expires),
            t::created_at.eq(now),
            t::pending_name.eq(&pending.full_name),
            t::pending_phone.eq(&pending.phone),
            t::pending_password_hash.eq(&pending.password_hash),
        ))
        .execute(conn)
        .map(drop)
}

/// The registration details of a link.
pub fn pending_of(conn: &mut DbConn, id: i64) -> QueryResult<Pending> {
    t::table
        .find(id)
        .select((t::pending_name, t::pending_phone, t::pending_password_hash))
        .first(conn)
}

/// The account a link still valid at `now` is for: (token row id, user).
pub fn find_valid(
    conn: &mut DbConn,
    hash: &str,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> QueryResult<Option<(i64, UserId)>> {
    t::table
        .filter(t::token_hash.eq(hash))
        .filter(t::purpose.eq(purpose))
        .filter(t::used_at.is_null())
        .filter(t::expires_at.gt(now))
        .select((t::id, t::user_id))
        .first(conn)
        .optional()
}

/// Uses a link once: false when another request used it first.
pub fn try_use(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(t::table.find(id).filter(t::used_at.is_null()))
        .set(t::used_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
}

/// Every link of that purpose still open for the account is worth nothing from now on.
pub fn set_all_used(
    conn: &mut DbConn,
    user: UserId,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::user_id.eq(user))
            .filter(t::purpose.eq(purpose))
            .filter(t::used_at.is_null()),
    )
    .set(t::used_at.eq(now))
    .execute(conn)
}

/// Whether a link of that purpose was sent to the account since `since`.
pub fn sent_since(
    conn: &mut DbConn,
    user: UserId,
    purpose: LinkPurpose,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        t::table
            .filter(t::user_id.eq(user))
            .filter(t::purpose.eq(purpose))
            .filter(t::created_at.gt(since)),
    ))
    .get_result(conn)
}

pub fn delete_of_user(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::delete(t::table.filter(t::user_id.eq(user))).execute(conn)
}

pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(t::table.filter(t::expires_at.lt(now))).execute(conn)
}
