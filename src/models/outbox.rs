//! The e-mail outbox: a row per e-mail to send, written in the transaction that causes it.

use super::now;
use crate::db::schema::email_outbox;
use crate::db::DbConn;
use crate::domain::ids::OrderId;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = email_outbox)]
struct NewEmail<'a> {
    dedupe_key: &'a str,
    recipient: &'a str,
    template: &'a str,
    payload: String,
    order_id: Option<OrderId>,
    status: &'a str,
    attempts: i32,
    next_attempt_at: chrono::NaiveDateTime,
    created_at: chrono::NaiveDateTime,
}

/// Queues one e-mail. `dedupe_key` is unique: the same event never queues two e-mails.
pub fn enqueue(
    conn: &mut DbConn,
    dedupe_key: &str,
    recipient: &str,
    template: &str,
    payload: &serde_json::Value,
    order: Option<OrderId>,
) -> QueryResult<()> {
    let t = now();
    let row = NewEmail {
        dedupe_key,
        recipient,
        template,
        payload: payload.to_string(),
        order_id: order,
        status: "pending",
        attempts: 0,
        next_attempt_at: t,
        created_at: t,
    };
    diesel::insert_into(email_outbox::table)
        .values(&row)
        .execute(conn)
        .map(drop)
}

/// Like `enqueue`, but a message already queued under `dedupe_key` is left as it is.
pub fn enqueue_once(
    conn: &mut DbConn,
    dedupe_key: &str,
    recipient: &str,
    template: &str,
    payload: &serde_json::Value,
    order: Option<OrderId>,
) -> QueryResult<bool> {
    let queued: bool = diesel::select(diesel::dsl::exists(
        email_outbox::table.filter(email_outbox::dedupe_key.eq(dedupe_key)),
    ))
    .get_result(conn)?;
    if queued {
        return Ok(false);
    }
    match enqueue(conn, dedupe_key, recipient, template, payload, order) {
        // Queued by another request between the check and the insert: queued all the same.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        other => other.map(|_| true),
    }
}

/// Every message to an address that no longer belongs to anyone, sent or not (their payloads
/// hold the person's name).
pub fn delete_to(conn: &mut DbConn, recipient: &str) -> QueryResult<usize> {
    diesel::delete(email_outbox::table.filter(email_outbox::recipient.eq(recipient))).execute(conn)
}

/// A message a worker holds, to render and send.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: i64,
    pub dedupe_key: String,
    pub recipient: String,
    pub template: String,
    pub payload: String,
    pub order_id: Option<OrderId>,
    pub attempts: i32,
    pub created_at: chrono::NaiveDateTime,
}

/// Messages due at `now` and held by no live claim, oldest first.
pub fn due(conn: &mut DbConn, now: chrono::NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    email_outbox::table
        .filter(email_outbox::status.eq("pending"))
        .filter(email_outbox::next_attempt_at.le(now))
        .filter(
            email_outbox::locked_until
                .is_null()
                .or(email_outbox::locked_until.le(now)),
        )
        .order((email_outbox::next_attempt_at.asc(), email_outbox::id.asc()))
        .select(email_outbox::id)
        .limit(limit)
        .load(conn)
}

/// Takes a message for `worker` until `until`, counting the attempt; false when another
/// worker's claim holds it or it is no longer pending (one UPDATE: the database decides).
pub fn try_claim(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    (now, until): (chrono::NaiveDateTime, chrono::NaiveDateTime),
) -> QueryResult<Option<Claimed>> {
    let taken = diesel::update(
        email_outbox::table
            .find(id)
            .filter(email_outbox::status.eq("pending"))
            .filter(
                email_outbox::locked_until
                    .is_null()
                    .or(email_outbox::locked_until.le(now)),
            ),
    )
    .set((
        email_outbox::locked_until.eq(until),
        email_outbox::claimed_by.eq(worker),
        email_outbox::attempts.eq(email_outbox::attempts + 1),
    ))
    .execute(conn)?;
    if taken != 1 {
        return Ok(None);
    }
    email_outbox::table
        .find(id)
        .select((
            email_outbox::id,
            email_outbox::dedupe_key,
            email_outbox::recipient,
            email_outbox::template,
            email_outbox::payload,
            email_outbox::order_id,
            email_outbox::attempts,
            email_outbox::created_at,
        ))
        .first(conn)
        .optional()
}

/// What became of a claimed message; recorded only by the worker that holds it (false when its
/// claim lapsed and another worker took the message).
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    Sent,
    /// Tried again at this time.
    Retry(chrono::NaiveDateTime, &'a str),
    Failed(&'a str),
}

pub fn record_outcome(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    outcome: Outcome<'_>,
) -> QueryResult<bool> {
    let held = email_outbox::table
        .find(id)
        .filter(email_outbox::claimed_by.eq(worker))
        .filter(email_outbox::status.eq("pending"));
    let t = now();
    let short = |e: &str| e.chars().take(900).collect::<String>();
    let n = match outcome {
        Outcome::Sent => diesel::update(held)
            .set((
                email_outbox::status.eq("sent"),
                email_outbox::sent_at.eq(t),
                email_outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?,
        Outcome::Retry(next, error) => diesel::update(held)
            .set((
                email_outbox::next_attempt_at.eq(next),
                email_outbox::last_error.eq(short(error)),
                email_outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?,
        Outcome::Failed(error) => diesel::update(held)
            .set((
                email_outbox::status.eq("failed"),
                email_outbox::last_error.eq(short(error)),
                email_outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// A message that could not be sent, as the direction sees it.
#[derive(Debug, Clone, Queryable)]
pub struct FailedEmail {
    pub id: i64,
    pub recipient: String,
    pub template: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

/// The failed messages, newest first.
pub fn failed(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<FailedEmail>> {
    email_outbox::table
        .filter(email_outbox::status.eq("failed"))
        .order(email_outbox::id.desc())
        .select((
            email_outbox::id,
            email_outbox::recipient,
            email_outbox::template,
            email_outbox::attempts,
            email_outbox::last_error,
            email_outbox::created_at,
        ))
        .limit(limit)
        .load(conn)
}

/// How many messages wait, and since when the oldest.
pub fn backlog(conn: &mut DbConn) -> QueryResult<(i64, Option<chrono::NaiveDateTime>)> {
    email_outbox::table
        .filter(email_outbox::status.eq("pending"))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(email_outbox::created_at),
        ))
        .first(conn)
}

/// Messages sent since `since`.
pub fn sent_since(conn: &mut DbConn, since: chrono::NaiveDateTime) -> QueryResult<i64> {
    email_outbox::table
        .filter(email_outbox::status.eq("sent"))
        .filter(email_outbox::sent_at.ge(since))
        .count()
        .get_result(conn)
}

/// A failed message is to be sent again, from its first attempt; false when it is not failed.
pub fn set_pending_again(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::update(
        email_outbox::table
            .find(id)
            .filter(email_outbox::status.eq("failed")),
    )
    .set((
        email_outbox::status.eq("pending"),
        email_outbox::attempts.eq(0),
        email_outbox::next_attempt_at.eq(now()),
        email_outbox::claimed_by.eq(None::<String>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Messages by status (pending, sent, failed).
pub fn by_status(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    email_outbox::table
        .group_by(email_outbox::status)
        .select((email_outbox::status, diesel::dsl::count_star()))
        .load(conn)
}
