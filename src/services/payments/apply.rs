//! What a provider says, applied once: a webhook, the state read when the customer comes
//! back, and the reconciliation of a lost webhook all come through `apply`. The event's id is
//! recorded in the same transaction as its effect, so an event delivered twice (or by two
//! processes at once) counts once; out of order, each is judged against what the attempt and
//! the order are now.

use super::refunds::{refund_attempt_in, settle_refund_in};
use super::{settle_failed, PaymentError};
use crate::db::{write_tx, DbConn};
use crate::domain::order::{Actor, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::payment::{on_paid, Happened, OnPaid, ProviderEvent};
use crate::models::now;
use crate::models::online_payment::{self as pay, Attempt, CANCELLED, FAILED, PAID, PENDING};
use crate::models::order::{self as rows, OrderRow};
use crate::models::payment_approval as approval;
use crate::services::orders::{self, record_event, Request, Step};
use serde_json::json;

/// What an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Seen before: nothing done again.
    Duplicate,
    /// About nothing of ours (another integration on the same account): nothing to do.
    Unknown,
    /// Applied; the order's pizzeria changed (live pages to refresh).
    Done(crate::domain::ids::PizzeriaId),
}

pub fn apply(
    conn: &mut DbConn,
    provider: PaymentMethod,
    event: &ProviderEvent,
) -> Result<Applied, PaymentError> {
    write_tx(conn, |tx| {
        let t = now();
        if !pay::record_event(tx, provider, &event.event_id, &event.event_type, t)? {
            return Ok(Applied::Duplicate);
        }
        if let Happened::Refund { key, succeeded } = &event.happened {
            return settle_refund_in(tx, key, *succeeded);
        }
        let Some(attempt) = attempt_of(tx, provider, event)? else {
            return Ok(Applied::Unknown);
        };
        if attempt.provider_ref.is_none() {
            // The event outran the reply to our create: the page is this one.
            if let Some(r) = &event.provider_ref {
                pay::set_opened(tx, attempt.id, r, "", t)?;
            }
        }
        let order = rows::by_id(tx, attempt.order_id)?.ok_or(PaymentError::NotFound)?;
        match &event.happened {
            Happened::Paid { charge, .. } => paid_in(tx, &order, &attempt, charge.as_deref())?,
            Happened::Failed | Happened::Expired => {
                ended_in(tx, &order, &attempt, &event.happened)?
            }
            Happened::Approved => {
                // Captured by the payments worker, only while the order waits for it.
                if order.status == OrderStatus::AwaitingPayment {
                    approval::set_approved(tx, attempt.id, t)?;
                }
            }
            Happened::InFlight { charge } => {
                if attempt.status == PENDING && attempt.charge_ref.is_none() {
                    pay::set_charge_ref(tx, attempt.id, charge)?;
                }
            }
            Happened::Pending | Happened::Refund { .. } => {}
        }
        Ok(Applied::Done(order.pizzeria_id))
    })
}

/// The attempt an event is about: by our key when the provider echoes it, else by its id.
fn attempt_of(
    tx: &mut DbConn,
    provider: PaymentMethod,
    event: &ProviderEvent,
) -> Result<Option<Attempt>, PaymentError> {
    if let Some(key) = &event.attempt {
        if let Some(a) = pay::attempt_by_key(tx, key)? {
            return Ok((a.provider == provider.as_str()).then_some(a));
        }
    }
    match &event.provider_ref {
        Some(r) => Ok(pay::attempt_by_ref(tx, provider, r)?),
        None => Ok(None),
    }
}

fn paid_in(
    tx: &mut DbConn,
    order: &OrderRow,
    attempt: &Attempt,
    charge: Option<&str>,
) -> Result<(), PaymentError> {
    // Counted already: paid, or paid and (partly) refunded since.
    let counted = matches!(
        attempt.status.as_str(),
        PAID | "PARTIALLY_REFUNDED" | "REFUNDED"
    );
    let decision = on_paid(order.status, order.payment_status, counted);
    if decision == OnPaid::Nothing {
        return Ok(());
    }
    let t = now();
    if !pay::set_attempt_status_if(tx, attempt.id, &[PENDING, FAILED, CANCELLED], PAID, None, t)? {
        // Another request (the return page, a webhook) counted it meanwhile.
        return Ok(());
    }
    if let Some(charge) = charge {
        pay::set_charge_ref(tx, attempt.id, charge)?;
    }
    let method = PaymentMethod::parse(&attempt.provider);
    match decision {
        OnPaid::Receive => {
            let request = Request {
                to: OrderStatus::Received,
                actor: Actor::Provider,
                user: None,
                reason: Some("Paiement en ligne confirmé"),
            };
            orders::apply_transition(tx, order, request)?;
            pay::set_payment_status(tx, order.id, PaymentStatus::Paid, method, t)?;
            orders::confirm_in(tx, order, json!({ "total": order.total.to_string() }))?;
        }
        OnPaid::MarkPaid => {
            pay::set_payment_status(tx, order.id, PaymentStatus::Paid, method, t)?;
            note(tx, order, "Paiement en ligne confirmé")?;
        }
        OnPaid::Refund | OnPaid::Nothing => {
            let reason = match order.status {
                OrderStatus::Cancelled => "Paiement reçu après l'annulation de la commande",
                _ => "Commande déjà payée : second paiement rendu",
            };
            if order.status == OrderStatus::Cancelled {
                pay::set_payment_status(tx, order.id, PaymentStatus::Paid, method, t)?;
            }
            refund_attempt_in(tx, attempt.id, attempt.amount, reason)?;
            note(tx, order, reason)?;
        }
    }
    Ok(())
}

/// The page expired or the payment failed: the customer may choose again.
fn ended_in(
    tx: &mut DbConn,
    order: &OrderRow,
    attempt: &Attempt,
    h: &Happened,
) -> Result<(), PaymentError> {
    let (to, why) = match h {
        Happened::Expired => (CANCELLED, "La page de paiement a expiré."),
        _ => (FAILED, "Le paiement a été refusé."),
    };
    if pay::set_attempt_status_if(tx, attempt.id, &[PENDING], to, Some(why), now())? {
        settle_failed(tx, attempt.order_id)?;
        note(tx, order, why)?;
    }
    Ok(())
}

/// A payment change written to the order's log (its status stays): the timeline says it, and
/// live pages see the log grow.
pub(super) fn note(tx: &mut DbConn, order: &OrderRow, why: &str) -> Result<(), PaymentError> {
    let current = rows::by_id(tx, order.id)?.ok_or(PaymentError::NotFound)?;
    let step = Step {
        from: Some(current.status),
        to: current.status,
        actor: Actor::Provider,
        user: None,
        reason: Some(why),
    };
    Ok(record_event(tx, &current, step)?)
}
