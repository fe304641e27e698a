//! Refunds: asked for inside the transaction that decides them (a cancellation, a payment
//! that came too late or twice), sent by `workers::payments` with their own idempotency key,
//! settled when the provider confirms.

use super::apply::{note, Applied};
use super::PaymentError;
use crate::db::DbConn;
use crate::domain::money::Money;
use crate::domain::order::PaymentStatus;
use crate::domain::payment::refund_key;
use crate::models::now;
use crate::models::online_payment::{self as pay, PAID};
use crate::models::order::{self as rows, OrderRow};
use crate::services::orders::notify_as;
use diesel::QueryResult;
use serde_json::json;

const REFUNDED: &str = "REFUNDED";
const PARTLY: &str = "PARTIALLY_REFUNDED";
const SUCCEEDED: &str = "SUCCEEDED";

/// Asks for a refund of part or all of an attempt's payment.
pub(super) fn refund_attempt_in(
    tx: &mut DbConn,
    attempt: i64,
    amount: Money,
    reason: &str,
) -> QueryResult<()> {
    let n = pay::refunds_of(tx, attempt)?.len() as i64 + 1;
    pay::insert_refund(tx, attempt, amount, &refund_key(attempt, n), reason, now())?;
    Ok(())
}

/// What of an attempt's payment is not refunded (or being refunded) yet.
fn kept_of(tx: &mut DbConn, attempt: &pay::Attempt) -> QueryResult<Money> {
    let asked: i64 = pay::refunds_of(tx, attempt.id)?
        .iter()
        .filter(|r| r.status != "FAILED")
        .map(|r| r.amount.cents())
        .sum();
    Ok(Money::from_cents((attempt.amount.cents() - asked).max(0)))
}

/// A paid order cancelled: everything it was paid online goes back. Nothing for an order
/// paid by hand (the pizzeria gives the money back at the counter).
pub(crate) fn refund_all_in(tx: &mut DbConn, order: &OrderRow, reason: &str) -> QueryResult<bool> {
    let mut asked = false;
    for attempt in pay::attempts_of(tx, order.id)? {
        if !matches!(attempt.status.as_str(), PAID | PARTLY) {
            continue;
        }
        let kept = kept_of(tx, &attempt)?;
        if kept.cents() > 0 {
            refund_attempt_in(tx, attempt.id, kept, reason)?;
            asked = true;
        }
    }
    Ok(asked)
}

/// Part of what an order was paid online goes back (the order was made smaller): taken from
/// the attempts that still hold enough of it.
pub(crate) fn refund_part_in(
    tx: &mut DbConn,
    order: &OrderRow,
    amount: Money,
    reason: &str,
) -> QueryResult<()> {
    let mut left = amount.cents();
    for attempt in pay::attempts_of(tx, order.id)? {
        if left == 0 || !matches!(attempt.status.as_str(), PAID | PARTLY) {
            continue;
        }
        let part = kept_of(tx, &attempt)?.cents().min(left);
        if part > 0 {
            refund_attempt_in(tx, attempt.id, Money::from_cents(part), reason)?;
            left -= part;
        }
    }
    Ok(())
}

/// A refund reached its end at the provider.
pub(super) fn settle_refund_in(
    tx: &mut DbConn,
    key: &str,
    succeeded: bool,
) -> Result<Applied, PaymentError> {
    let Some(refund) = pay::refund_by_key(tx, key)? else {
        return Ok(Applied::Unknown);
    };
    let status = if succeeded { SUCCEEDED } else { "FAILED" };
    let Some(attempt) = pay::attempt_by_id(tx, refund.payment_id)? else {
        return Ok(Applied::Unknown);
    };
    let order = rows::by_id(tx, attempt.order_id)?.ok_or(PaymentError::NotFound)?;
    if !pay::set_refund_settled(tx, refund.id, status, now())? {
        return Ok(Applied::Done(order.pizzeria_id));
    }
    if !succeeded {
        note(
            tx,
            &order,
            "Remboursement refusé par le prestataire : à reprendre à la main",
        )?;
        return Ok(Applied::Done(order.pizzeria_id));
    }
    let back: i64 = pay::refunds_of(tx, attempt.id)?
        .iter()
        .filter(|r| r.status == SUCCEEDED)
        .map(|r| r.amount.cents())
        .sum();
    let to = if back >= attempt.amount.cents() {
        REFUNDED
    } else {
        PARTLY
    };
    pay::set_attempt_status_if(tx, attempt.id, &[PAID, PARTLY], to, None, now())?;
    let status = order_status(tx, &order)?;
    pay::set_payment_status(tx, order.id, status, None, now())?;
    let amount = refund.amount.to_string();
    note(tx, &order, &format!("Remboursement de {amount} confirmé"))?;
    let dedupe = format!("refund:{}", refund.id);
    notify_as(tx, &order, "refunded", &dedupe, json!({ "amount": amount }))?;
    Ok(Applied::Done(order.pizzeria_id))
}

/// The order's payment status from its attempts: refunded when nothing is kept, partly when
/// something kept was refunded in part, paid otherwise.
fn order_status(tx: &mut DbConn, order: &OrderRow) -> Result<PaymentStatus, PaymentError> {
    let attempts = pay::attempts_of(tx, order.id)?;
    let paid: Vec<_> = attempts
        .iter()
        .filter(|a| matches!(a.status.as_str(), PAID | PARTLY | REFUNDED))
        .collect();
    if paid.iter().all(|a| a.status == REFUNDED) {
        return Ok(PaymentStatus::Refunded);
    }
    match paid.iter().any(|a| a.status == PARTLY) {
        true => Ok(PaymentStatus::PartiallyRefunded),
        false => Ok(PaymentStatus::Paid),
    }
}
