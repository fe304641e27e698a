//! Online payments, each step one transaction: an attempt begun (its key recorded before any
//! call), its hosted page recorded, what a provider says applied once, the customer choosing
//! to pay by hand instead. The provider calls themselves happen between these, outside any
//! transaction (handlers and `workers::payments`).

mod apply;
mod jobs;
mod refunds;

pub use apply::{apply, Applied};
pub use jobs::{
    capture_answered, captures_due, expire_unpaid, page_closed, pages_to_close, reconcile_due,
    refund_refused, refund_sent, refunds_due, CaptureJob, RefundJob,
};
pub(crate) use refunds::{refund_all_in, refund_part_in};

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::ids::OrderId;
use crate::domain::order::{Actor, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::payment::Opened;
use crate::domain::payment::{attempt_key, Charge, ChargeLine};
use crate::domain::token::OrderToken;
use crate::models::now;
use crate::models::online_payment::{self as pay, Attempt, NewAttempt, FAILED, PAID, PENDING};
use crate::models::order::{self as rows, OrderRow};
use crate::models::pizzeria::Pizzeria;
use crate::services::orders::{self, OrderError, Request};
use chrono::Duration;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("Cette commande est introuvable.")]
    NotFound,
    #[error("Cette commande est déjà payée.")]
    AlreadyPaid,
    #[error("Cette commande n'attend plus de paiement (elle est « {} »).", .0.label())]
    NotAwaiting(OrderStatus),
    #[error("Ce moyen de paiement n'est pas proposé pour cette commande.")]
    NotOffered,
    #[error("Un paiement de cette commande vient d'être ouvert (dans un autre onglet ?).")]
    AlreadyStarted,
    #[error("Un virement de cette commande est en cours : votre banque le confirme d'ici quelques minutes.")]
    InFlight,
    #[error("{0}")]
    Order(#[from] OrderError),
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl AsDieselError for PaymentError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            PaymentError::Db(e) => Some(e),
            PaymentError::Order(OrderError::Db(e)) => Some(e),
            _ => None,
        }
    }
}

/// A new attempt: what to open at the provider, and the pages of earlier attempts still open
/// there (to be closed first, so that only one can be paid).
#[derive(Debug)]
pub struct Begun {
    pub charge: Charge,
    pub still_open: Vec<(PaymentMethod, String)>,
}

/// Begins a payment attempt of an order waiting for one, with its idempotency key.
pub fn begin(
    conn: &mut DbConn,
    token: &OrderToken,
    provider: PaymentMethod,
    expire_after: Duration,
) -> Result<Begun, PaymentError> {
    if !provider.is_online() {
        return Err(PaymentError::NotOffered);
    }
    match write_tx(conn, |tx| begin_in(tx, token, provider, expire_after)) {
        // The same attempt number taken by another request (a double click, two tabs).
        Err(PaymentError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(PaymentError::AlreadyStarted),
        other => other,
    }
}

fn begin_in(
    tx: &mut DbConn,
    token: &OrderToken,
    provider: PaymentMethod,
    expire_after: Duration,
) -> Result<Begun, PaymentError> {
    {
        let order = rows::by_token(tx, token)?.ok_or(PaymentError::NotFound)?;
        let attempts = pay::attempts_of(tx, order.id)?;
        if attempts.iter().any(|a| a.status == PAID) {
            return Err(PaymentError::AlreadyPaid);
        }
        if attempts.iter().any(Attempt::in_flight) {
            return Err(PaymentError::InFlight);
        }
        if order.status != OrderStatus::AwaitingPayment {
            return Err(PaymentError::NotAwaiting(order.status));
        }
        let key = attempt_key(order.id, attempts.len() as i64 + 1);
        let t = now();
        pay::insert_attempt(
            tx,
            &NewAttempt {
                order_id: order.id,
                provider: provider.as_str(),
                amount: order.total,
                status: PENDING,
                idempotency_key: &key,
                created_at: t,
                updated_at: t,
            },
        )?;
        pay::set_payment_status(tx, order.id, PaymentStatus::Pending, Some(provider), t)?;
        let still_open = open_pages(&attempts);
        let charge = charge_of(tx, &order, key, order.created_at + expire_after)?;
        Ok(Begun { charge, still_open })
    }
}

fn charge_of(
    tx: &mut DbConn,
    order: &OrderRow,
    key: String,
    expires: chrono::NaiveDateTime,
) -> Result<Charge, PaymentError> {
    let lines = rows::lines(tx, order.id)?
        .into_iter()
        .map(|l| ChargeLine {
            name: l.product_name,
            unit: l.unit_price,
            quantity: i64::from(l.quantity),
        })
        .collect();
    let pizzeria = Pizzeria::find(tx, order.pizzeria_id)?.map_or_else(String::new, |p| p.name);
    Ok(Charge {
        key,
        order_token: order.token.to_string(),
        order_label: order.number_label(),
        pizzeria,
        amount: order.total,
        lines,
        email: order.customer_email.clone(),
        expires_at: expires.and_utc().timestamp(),
    })
}

/// The provider opened the attempt's page: where the customer goes. False when the attempt
/// is over already (its confirmation outran this reply): the customer goes to the order.
pub fn opened(conn: &mut DbConn, key: &str, page: &Opened) -> Result<bool, PaymentError> {
    write_tx(conn, |tx| {
        let attempt = pay::attempt_by_key(tx, key)?.ok_or(PaymentError::NotFound)?;
        pay::set_opened(tx, attempt.id, &page.provider_ref, &page.url, now())?;
        Ok(attempt.status == PENDING)
    })
}

/// The page could not be opened: the attempt failed, with what the customer is told.
pub fn not_opened(conn: &mut DbConn, key: &str, why: &str) -> Result<(), PaymentError> {
    write_tx(conn, |tx| {
        let attempt = pay::attempt_by_key(tx, key)?.ok_or(PaymentError::NotFound)?;
        let t = now();
        if pay::set_attempt_status_if(tx, attempt.id, &[PENDING], FAILED, Some(why), t)? {
            settle_failed(tx, attempt.order_id)?;
        }
        Ok(())
    })
}

/// An order whose attempts all failed says so (the customer chooses again).
fn settle_failed(tx: &mut DbConn, order: OrderId) -> Result<(), PaymentError> {
    let waiting = rows::by_id(tx, order)?.is_some_and(|o| o.status == OrderStatus::AwaitingPayment);
    let attempts = pay::attempts_of(tx, order)?;
    let open_or_paid = |a: &Attempt| {
        matches!(
            a.status.as_str(),
            PENDING | PAID | "PARTIALLY_REFUNDED" | "REFUNDED"
        )
    };
    if waiting && !attempts.iter().any(open_or_paid) {
        pay::set_payment_status(tx, order, PaymentStatus::Failed, None, now())?;
    }
    Ok(())
}

/// What the payment page of an order shows: the order, its attempts (newest last).
pub fn attempts(conn: &mut DbConn, order: OrderId) -> Result<Vec<Attempt>, PaymentError> {
    Ok(pay::attempts_of(conn, order)?)
}

/// The customer gives up paying online and pays by hand (on delivery, at pickup): the order
/// goes to the kitchen now. Pages still open at the provider are closed by the payments
/// worker; one paid meanwhile anyway is accepted as the payment.
pub fn pay_by_hand(
    conn: &mut DbConn,
    token: &OrderToken,
    method: PaymentMethod,
) -> Result<(), PaymentError> {
    write_tx(conn, |tx| {
        let order = rows::by_token(tx, token)?.ok_or(PaymentError::NotFound)?;
        if order.status != OrderStatus::AwaitingPayment {
            return Err(PaymentError::NotAwaiting(order.status));
        }
        let request = Request {
            to: OrderStatus::Received,
            actor: Actor::System,
            user: None,
            reason: Some("Paiement choisi à la livraison ou au retrait"),
        };
        orders::apply_transition(tx, &order, request)?;
        pay::set_payment_status(tx, order.id, PaymentStatus::Unpaid, Some(method), now())?;
        orders::confirm_in(tx, &order, json!({ "total": order.total.to_string() }))?;
        Ok(())
    })
}

/// The provider pages of attempts still pending (to be closed).
fn open_pages(attempts: &[Attempt]) -> Vec<(PaymentMethod, String)> {
    attempts
        .iter()
        .filter(|a| a.status == PENDING)
        .filter_map(|a| Some((PaymentMethod::parse(&a.provider)?, a.provider_ref.clone()?)))
        .collect()
}
