//! What the payments worker does, in transactions of its own: cancel the orders whose payment
//! never came, pick the attempts to ask their provider about, the refunds to send.

use super::apply::Applied;
use super::refunds::settle_refund_in;
use super::PaymentError;
use crate::db::{write_tx, DbConn};
use crate::domain::ids::PizzeriaId;
use crate::domain::money::Money;
use crate::domain::order::{Actor, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::payment::RefundReply;
use crate::models::now;
use crate::models::online_payment::{self as pay, CANCELLED, PENDING};
use crate::models::order as rows;
use crate::models::payment_approval as approval;
use crate::services::orders::{self, Request};
use chrono::NaiveDateTime;

/// Cancels the online orders still unpaid since before `before`; their stock is released.
/// Returns their pizzerias (live pages); their pages at the provider are closed next
/// (`pages_to_close`).
pub fn expire_unpaid(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> Result<Vec<PizzeriaId>, PaymentError> {
    let mut expired = Vec::new();
    for id in pay::unpaid_before(conn, before)? {
        let one = write_tx(conn, |tx| {
            let Some(order) = rows::by_id(tx, id)? else {
                return Ok(None);
            };
            if order.status != OrderStatus::AwaitingPayment {
                return Ok(None);
            }
            // A bank transfer on its way cannot be stopped: the order waits for it.
            if pay::attempts_of(tx, id)?
                .iter()
                .any(pay::Attempt::in_flight)
            {
                return Ok(None);
            }
            let request = Request {
                to: OrderStatus::Cancelled,
                actor: Actor::System,
                user: None,
                reason: Some("Paiement non reçu à temps"),
            };
            orders::apply_transition(tx, &order, request)?;
            pay::set_payment_status(tx, id, PaymentStatus::Failed, None, now())?;
            Ok::<_, PaymentError>(Some(order.pizzeria_id))
        })?;
        expired.extend(one);
    }
    Ok(expired)
}

/// Provider pages still open for orders that no longer wait for them: (attempt, provider,
/// page).
pub fn pages_to_close(
    conn: &mut DbConn,
) -> Result<Vec<(i64, PaymentMethod, String)>, PaymentError> {
    Ok(pay::pending_not_awaited(conn)?
        .into_iter()
        // A transfer on its way cannot be cancelled: its confirmation settles it (refunded
        // when nobody wants it any more).
        .filter(|a| !a.in_flight())
        .filter_map(|a| Some((a.id, provider_of(&a.provider), a.provider_ref?)))
        .collect())
}

/// The page is closed at its provider: the attempt is over (unless it was paid meanwhile,
/// which its confirmation settles).
pub fn page_closed(conn: &mut DbConn, attempt: i64) -> Result<(), PaymentError> {
    write_tx(conn, |tx| {
        let why = Some("La commande n'attendait plus ce paiement.");
        if !pay::set_attempt_status_if(tx, attempt, &[PENDING], CANCELLED, why, now())? {
            return Ok(());
        }
        let Some(a) = pay::attempt_by_id(tx, attempt)? else {
            return Ok(());
        };
        // A cancelled order whose page was still open: it was simply not paid.
        if let Some(order) = rows::by_id(tx, a.order_id)? {
            if order.status == OrderStatus::Cancelled
                && order.payment_status == PaymentStatus::Pending
            {
                pay::set_payment_status(tx, order.id, PaymentStatus::Unpaid, None, now())?;
            }
        }
        Ok(())
    })
}

fn provider_of(name: &str) -> PaymentMethod {
    PaymentMethod::parse(name).unwrap_or(PaymentMethod::Stripe)
}

/// Attempts pending at their provider since before `before` (a webhook may be lost): each is
/// marked asked, so the next ask waits the same delay again.
pub fn reconcile_due(
    conn: &mut DbConn,
    before: NaiveDateTime,
) -> Result<Vec<(PaymentMethod, String)>, PaymentError> {
    write_tx(conn, |tx| {
        let due = pay::pending_before(tx, before)?;
        let t = now();
        let mut asks = Vec::new();
        for a in due {
            pay::touch_attempt(tx, a.id, t)?;
            asks.extend(a.provider_ref.map(|r| (provider_of(&a.provider), r)));
        }
        Ok(asks)
    })
}

/// An attempt its payer approved, to capture: its page at the provider and its key.
#[derive(Debug, Clone)]
pub struct CaptureJob {
    pub attempt: i64,
    pub provider: PaymentMethod,
    pub page: String,
    pub key: String,
}

/// Approved attempts not captured yet, of orders still waiting for them.
pub fn captures_due(conn: &mut DbConn) -> Result<Vec<CaptureJob>, PaymentError> {
    Ok(approval::to_capture(conn)?
        .into_iter()
        .filter_map(|a| {
            Some(CaptureJob {
                attempt: a.id,
                provider: provider_of(&a.provider),
                page: a.provider_ref?,
                key: a.idempotency_key,
            })
        })
        .collect())
}

/// The capture was answered but not settled (held at the provider): not captured again.
pub fn capture_answered(conn: &mut DbConn, attempt: i64) -> Result<(), PaymentError> {
    Ok(approval::set_capture_answered(conn, attempt)?)
}

/// A refund to send: its key, amount, and the payment it gives back.
#[derive(Debug, Clone)]
pub struct RefundJob {
    pub refund: i64,
    pub key: String,
    pub amount: Money,
    pub provider: PaymentMethod,
    /// The provider's id of the payment (Stripe's payment intent); None: not known yet.
    pub charge: Option<String>,
}

/// Refunds asked for and not yet taken by their provider.
pub fn refunds_due(conn: &mut DbConn) -> Result<Vec<RefundJob>, PaymentError> {
    Ok(pay::refunds_pending(conn)?
        .into_iter()
        .filter(|(r, _)| r.provider_ref.is_none())
        .map(|(r, a)| RefundJob {
            refund: r.id,
            key: r.idempotency_key,
            amount: r.amount,
            provider: provider_of(&a.provider),
            charge: a.charge_ref,
        })
        .collect())
}

/// The provider refused a refund for good (nothing left to refund, a payment it does not
/// know): it is marked failed, and the order's log says it is to be taken up by hand.
pub fn refund_refused(conn: &mut DbConn, job: &RefundJob) -> Result<Applied, PaymentError> {
    write_tx(conn, |tx| settle_refund_in(tx, &job.key, false))
}

/// The provider took a refund (and may have settled it already).
pub fn refund_sent(
    conn: &mut DbConn,
    job: &RefundJob,
    reply: &RefundReply,
) -> Result<Applied, PaymentError> {
    write_tx(conn, |tx| {
        pay::set_refund_sent(tx, job.refund, &reply.provider_ref, now())?;
        match reply.succeeded {
            Some(ok) => settle_refund_in(tx, &job.key, ok),
            None => Ok(Applied::Unknown),
        }
    })
}
