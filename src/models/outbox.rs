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
