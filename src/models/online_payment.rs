//! Online payment attempts (rows of `payments` with an online provider), their refunds, and
//! the provider events already processed.

use crate::db::schema::{orders, payments, refunds, webhook_events};
use crate::db::DbConn;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::order::{OrderStatus, PaymentMethod, PaymentStatus};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub const PENDING: &str = "PENDING";
pub const PAID: &str = "PAID";
pub const FAILED: &str = "FAILED";
pub const CANCELLED: &str = "CANCELLED";

/// One attempt at paying an order online.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct Attempt {
    pub id: i64,
    pub order_id: OrderId,
    pub provider: String,
    pub provider_ref: Option<String>,
    #[diesel(column_name = amount_cents)]
    pub amount: Money,
    pub status: String,
    pub idempotency_key: String,
    pub charge_ref: Option<String>,
    pub checkout_url: Option<String>,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub struct NewAttempt<'a> {
    pub order_id: OrderId,
    pub provider: &'a str,
    #[diesel(column_name = amount_cents)]
    pub amount: Money,
    pub status: &'a str,
    pub idempotency_key: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

const ONLINE: [&str; 3] = ["stripe", "paypal", "gocardless"];

impl Attempt {
    /// A bank transfer authorised and on its way (GoCardless): its payment is known, not yet
    /// confirmed, and can no longer be stopped.
    pub fn in_flight(&self) -> bool {
        self.provider == "gocardless" && self.status == PENDING && self.charge_ref.is_some()
    }
}

pub fn insert_attempt(conn: &mut DbConn, row: &NewAttempt<'_>) -> QueryResult<()> {
    diesel::insert_into(payments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An order's online attempts, oldest first.
pub fn attempts_of(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<Attempt>> {
    payments::table
        .filter(payments::order_id.eq(order))
        .filter(payments::provider.eq_any(ONLINE))
        .order(payments::id.asc())
        .select(Attempt::as_select())
        .load(conn)
}

pub fn attempt_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Attempt>> {
    payments::table
        .filter(payments::idempotency_key.eq(key))
        .select(Attempt::as_select())
        .first(conn)
        .optional()
}

pub fn attempt_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<Attempt>> {
    payments::table
        .find(id)
        .select(Attempt::as_select())
        .first(conn)
        .optional()
}

/// The attempt was asked about at its provider now: not again before the next delay.
pub fn touch_attempt(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(payments::table.find(id))
        .set(payments::updated_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn attempt_by_ref(
    conn: &mut DbConn,
    provider: PaymentMethod,
    provider_ref: &str,
) -> QueryResult<Option<Attempt>> {
    payments::table
        .filter(payments::provider.eq(provider.as_str()))
        .filter(payments::provider_ref.eq(provider_ref))
        .select(Attempt::as_select())
        .first(conn)
        .optional()
}

/// The hosted page opened for an attempt (or why it could not be).
pub fn set_opened(
    conn: &mut DbConn,
    id: i64,
    provider_ref: &str,
    url: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(payments::table.find(id))
        .set((
            payments::provider_ref.eq(provider_ref),
            payments::checkout_url.eq(url),
            payments::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Moves an attempt from one of `from` to `to`; false when it was not in `from` any more.
pub fn set_attempt_status_if(
    conn: &mut DbConn,
    id: i64,
    from: &[&str],
    to: &str,
    failure: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        payments::table
            .find(id)
            .filter(payments::status.eq_any(from)),
    )
    .set((
        payments::status.eq(to),
        payments::failure.eq(failure),
        payments::updated_at.eq(at),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn set_charge_ref(conn: &mut DbConn, id: i64, charge: &str) -> QueryResult<()> {
    diesel::update(payments::table.find(id))
        .set(payments::charge_ref.eq(charge))
        .execute(conn)
        .map(drop)
}

/// Attempts still pending at their provider since before `before`: ask it what became of them.
pub fn pending_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<Attempt>> {
    payments::table
        .filter(payments::provider.eq_any(ONLINE))
        .filter(payments::status.eq(PENDING))
        .filter(payments::provider_ref.is_not_null())
        .filter(payments::updated_at.lt(before))
        .order(payments::id.asc())
        .limit(100)
        .select(Attempt::as_select())
        .load(conn)
}

/// Attempts still open at their provider for an order that no longer waits for them
/// (cancelled, expired, or to be paid by hand): their pages are to be closed.
pub fn pending_not_awaited(conn: &mut DbConn) -> QueryResult<Vec<Attempt>> {
    payments::table
        .inner_join(orders::table)
        .filter(payments::provider.eq_any(ONLINE))
        .filter(payments::status.eq(PENDING))
        .filter(payments::provider_ref.is_not_null())
        .filter(orders::status.ne(OrderStatus::AwaitingPayment))
        .order(payments::id.asc())
        .limit(100)
        .select(Attempt::as_select())
        .load(conn)
}

/// Online orders still waiting for their payment since before `before`.
pub fn unpaid_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<OrderId>> {
    orders::table
        .filter(orders::status.eq(OrderStatus::AwaitingPayment))
        .filter(orders::created_at.lt(before))
        .order(orders::id.asc())
        .limit(100)
        .select(orders::id)
        .load(conn)
}

pub fn set_payment_status(
    conn: &mut DbConn,
    order: OrderId,
    status: PaymentStatus,
    method: Option<PaymentMethod>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let row = diesel::update(orders::table.find(order));
    match method {
        Some(m) => row
            .set((
                orders::payment_status.eq(status),
                orders::payment_method.eq(m),
                orders::updated_at.eq(at),
            ))
            .execute(conn),
        None => row
            .set((orders::payment_status.eq(status), orders::updated_at.eq(at)))
            .execute(conn),
    }
    .map(drop)
}

/// Records a provider event as processed; false when it was already (the event came again).
pub fn record_event(
    conn: &mut DbConn,
    provider: PaymentMethod,
    event_id: &str,
    event_type: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::provider.eq(provider.as_str()),
            webhook_events::event_id.eq(event_id),
            webhook_events::event_type.eq(event_type),
            webhook_events::received_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A refund to send or sent.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refunds)]
pub struct Refund {
    pub id: i64,
    pub payment_id: i64,
    #[diesel(column_name = amount_cents)]
    pub amount: Money,
    pub status: String,
    pub provider_ref: Option<String>,
    pub idempotency_key: String,
    pub reason: Option<String>,
}

pub fn insert_refund(
    conn: &mut DbConn,
    payment: i64,
    amount: Money,
    key: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refunds::table)
        .values((
            refunds::payment_id.eq(payment),
            refunds::amount_cents.eq(amount),
            refunds::status.eq(PENDING),
            refunds::idempotency_key.eq(key),
            refunds::reason.eq(reason),
            refunds::created_at.eq(at),
            refunds::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn refunds_of(conn: &mut DbConn, payment: i64) -> QueryResult<Vec<Refund>> {
    refunds::table
        .filter(refunds::payment_id.eq(payment))
        .order(refunds::id.asc())
        .select(Refund::as_select())
        .load(conn)
}

pub fn refund_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Refund>> {
    refunds::table
        .filter(refunds::idempotency_key.eq(key))
        .select(Refund::as_select())
        .first(conn)
        .optional()
}

/// Refunds still to be settled at their provider, with their payment.
pub fn refunds_pending(conn: &mut DbConn) -> QueryResult<Vec<(Refund, Attempt)>> {
    refunds::table
        .inner_join(payments::table)
        .filter(refunds::status.eq(PENDING))
        .order(refunds::id.asc())
        .limit(100)
        .select((Refund::as_select(), Attempt::as_select()))
        .load(conn)
}

/// The provider took the refund (its id), not settled yet.
pub fn set_refund_sent(
    conn: &mut DbConn,
    id: i64,
    provider_ref: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(refunds::table.find(id))
        .set((
            refunds::provider_ref.eq(provider_ref),
            refunds::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// The refund reached its end (SUCCEEDED or FAILED); false when it had already.
pub fn set_refund_settled(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(refunds::table.find(id).filter(refunds::status.eq(PENDING)))
        .set((refunds::status.eq(status), refunds::updated_at.eq(at)))
        .execute(conn)
        .map(|n| n == 1)
}

/// One line of the direction's payments page: an attempt, its order, and its refunds.
#[derive(Debug, Clone)]
pub struct AttemptLine {
    pub attempt: Attempt,
    pub pizzeria: String,
    pub number: Option<i32>,
    pub order_status: OrderStatus,
    pub refunds: Vec<Refund>,
}

/// The newest online attempts of every pizzeria, with their refunds.
pub fn recent_attempts(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<AttemptLine>> {
    use crate::db::schema::pizzerias;
    let rows: Vec<(Attempt, String, Option<i32>, OrderStatus)> = payments::table
        .inner_join(orders::table.inner_join(pizzerias::table))
        .filter(payments::provider.eq_any(ONLINE))
        .order(payments::id.desc())
        .limit(limit)
        .select((
            Attempt::as_select(),
            pizzerias::name,
            orders::number,
            orders::status,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(attempt, pizzeria, number, order_status)| {
            Ok(AttemptLine {
                refunds: refunds_of(conn, attempt.id)?,
                attempt,
                pizzeria,
                number,
                order_status,
            })
        })
        .collect()
}

/// The newest provider events processed: (provider, event id, type, received at).
pub fn recent_events(
    conn: &mut DbConn,
    limit: i64,
) -> QueryResult<Vec<(String, String, String, NaiveDateTime)>> {
    webhook_events::table
        .order(webhook_events::id.desc())
        .limit(limit)
        .select((
            webhook_events::provider,
            webhook_events::event_id,
            webhook_events::event_type,
            webhook_events::received_at,
        ))
        .load(conn)
}
