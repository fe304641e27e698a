//! Approvals of attempts at a provider that takes the money only once asked (PayPal): the
//! payer approved, the capture is ours to make.

use super::online_payment::{Attempt, PENDING};
use crate::db::schema::{orders, payments};
use crate::db::DbConn;
use crate::domain::order::OrderStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The payer approved a pending attempt; false when it was not pending any more, or approved
/// already.
pub fn set_approved(conn: &mut DbConn, attempt: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        payments::table
            .find(attempt)
            .filter(payments::status.eq(PENDING))
            .filter(payments::approved_at.is_null()),
    )
    .set((payments::approved_at.eq(at), payments::updated_at.eq(at)))
    .execute(conn)
    .map(|n| n == 1)
}

/// The capture was answered without an end (held for review at the provider): the attempt
/// is not captured again, its webhook or the reconciliation settles it.
pub fn set_capture_answered(conn: &mut DbConn, attempt: i64) -> QueryResult<()> {
    diesel::update(payments::table.find(attempt))
        .set(payments::approved_at.eq(None::<NaiveDateTime>))
        .execute(conn)
        .map(drop)
}

/// Attempts approved and not captured yet, of orders still waiting for them.
pub fn to_capture(conn: &mut DbConn) -> QueryResult<Vec<Attempt>> {
    payments::table
        .inner_join(orders::table)
        .filter(payments::status.eq(PENDING))
        .filter(payments::approved_at.is_not_null())
        .filter(payments::provider_ref.is_not_null())
        .filter(orders::status.eq(OrderStatus::AwaitingPayment))
        .order(payments::id.asc())
        .limit(100)
        .select(Attempt::as_select())
        .load(conn)
}
