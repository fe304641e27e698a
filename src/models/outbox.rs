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
