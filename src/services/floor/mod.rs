//! The pizzeria floor: the kitchen starting, finishing and taking back its steps, the drivers
//! taking orders out and bringing the money back, the counter entering phone and counter
//! orders and handing pickups over, and staff cancelling. Every action is one transaction that
//! goes through the domain's state machine, writes an order event with the staff member as
//! actor, and refuses a stale action (the order changed meanwhile) with what happened instead.

mod counter;
mod delivery;
mod kitchen;

pub use counter::{cancel, handover, known_customer, place_counter_order, CounterOrder};
pub use delivery::{delivered, failed, resend, shift, take};
pub use kitchen::{ready, start, undo};

use crate::db::{AsDieselError, DbConn};
use crate::domain::floor::{stale_message, Collection};
use crate::domain::ids::{OrderId, PizzeriaId, UserId};
use crate::domain::order::{OrderStatus, PaymentStatus};
use crate::models::floor::{self as rows, FloorOrder};
use crate::models::now;
use crate::models::order::OrderRow;
use crate::models::payment::{self, NewCollection};
use crate::services::orders::{apply_transition, OrderError, Request};
use diesel::result::Error as DieselError;
use diesel::QueryResult;

#[derive(Debug, thiserror::Error)]
pub enum FloorError {
    #[error("Cette commande n'existe pas dans cette pizzeria.")]
    NotFound,
    /// The order changed since the screen showed it: what it became.
    #[error("{0}")]
    Stale(String),
    /// What the form says cannot be done (a French sentence for the field).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Order(OrderError),
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl From<OrderError> for FloorError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Db(e) => FloorError::Db(e),
            OrderError::NotFound => FloorError::NotFound,
            other => FloorError::Order(other),
        }
    }
}

impl From<crate::services::stock::StockError> for FloorError {
    fn from(e: crate::services::stock::StockError) -> Self {
        OrderError::from(e).into()
    }
}

impl AsDieselError for FloorError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            FloorError::Db(e) => Some(e),
            FloorError::Order(e) => e.as_diesel(),
            _ => None,
        }
    }
}

/// Who on the team does it.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub pizzeria: PizzeriaId,
    pub user: UserId,
}

/// The order of this pizzeria, with its steps; another pizzeria's is "not found".
fn load(tx: &mut DbConn, by: Member, id: OrderId) -> Result<FloorOrder, FloorError> {
    rows::order_of(tx, by.pizzeria, id)?.ok_or(FloorError::NotFound)
}

/// The refusal of an action that expected the order in `expected`: what it is now, who made
/// it so and when.
fn stale(order: &FloorOrder) -> FloorError {
    let last = order.last_step();
    let at = last.map_or_else(String::new, |s| paris_hour(s.at));
    let who = last.and_then(|s| s.who.as_deref());
    FloorError::Stale(stale_message(
        &order.order.number_label(),
        order.order.status,
        who,
        &at,
    ))
}

fn paris_hour(t: chrono::NaiveDateTime) -> String {
    crate::domain::hours::paris(t.and_utc())
        .format("%H:%M")
        .to_string()
}

/// Moves an order of the floor from one of `expected` to `to`, by staff: through the state
/// machine, with an event naming the member. An order found elsewhere (another cook was
/// quicker, the customer cancelled) is refused with what happened.
fn advance(
    tx: &mut DbConn,
    by: Member,
    order: &FloorOrder,
    expected: &[OrderStatus],
    to: OrderStatus,
    reason: Option<&str>,
) -> Result<(), FloorError> {
    if !expected.contains(&order.order.status) {
        return Err(stale(order));
    }
    let request = Request {
        to,
        actor: crate::domain::order::Actor::Staff,
        user: Some(by.user),
        reason,
    };
    match apply_transition(tx, &order.order, request) {
        // Lost a race inside the transaction: read what won.
        Err(OrderError::Transition(crate::domain::order::TransitionError::NotAllowed {
            ..
        })) => Err(stale(&load(tx, by, order.order.id)?)),
        other => other.map_err(FloorError::from),
    }
}

/// The manager sets the pizzeria's pace (already checked by `Pace::parse`).
pub fn set_pace(
    conn: &mut DbConn,
    by: Member,
    pace: &crate::domain::floor::Pace,
) -> Result<(), FloorError> {
    crate::db::write_tx(conn, |tx| Ok(rows::set_pace(tx, by.pizzeria, pace)?))
}

/// The order handed to the customer (`from` → `to`), with what was collected when unpaid.
fn hand_over(
    tx: &mut DbConn,
    by: Member,
    order: &FloorOrder,
    (from, to): (OrderStatus, OrderStatus),
    hand: &str,
    amount: &str,
) -> Result<(), FloorError> {
    if order.order.status != from {
        return Err(stale(order));
    }
    let collection = crate::domain::floor::parse_collection(hand, amount, due(&order.order))
        .map_err(FloorError::Invalid)?;
    advance(tx, by, order, &[from], to, None)?;
    collect(tx, by, &order.order, collection)?;
    Ok(())
}

/// What an unpaid order owes when it is handed over; None when it is paid.
pub fn due(order: &OrderRow) -> Option<crate::domain::money::Money> {
    (!order.payment_status.is_settled()).then_some(order.total)
}

/// Records a payment taken by hand, once per order (its key says so), and marks it paid.
fn collect(
    tx: &mut DbConn,
    by: Member,
    order: &OrderRow,
    c: Option<Collection>,
) -> QueryResult<()> {
    let Some(c) = c else { return Ok(()) };
    let t = now();
    let key = format!("collect:{}", order.id);
    payment::insert_collection(
        tx,
        &NewCollection {
            order_id: order.id,
            provider: c.hand.as_str(),
            amount: c.amount,
            status: "PAID",
            idempotency_key: &key,
            recorded_by: Some(by.user),
            created_at: t,
            updated_at: t,
        },
    )?;
    rows::set_payment_status(tx, order.id, PaymentStatus::Paid)
}

/// What a started order had consumed becomes waste when it is cancelled: the ledger says so
/// (its consumption taken back, then written off), the levels stay as they are.
pub fn write_off_consumed_in(
    conn: &mut DbConn,
    p: PizzeriaId,
    consumed: &[crate::services::stock::Need],
    ctx: crate::models::stock::Context<'_>,
) -> Result<(), crate::services::stock::StockError> {
    let consumed = crate::services::stock::normalize(consumed)?;
    if consumed.is_empty() {
        return Ok(());
    }
    let back: Vec<(crate::domain::ids::IngredientId, (i64, i64))> = consumed
        .iter()
        .map(|n| (n.ingredient, (n.qty, 0)))
        .collect();
    let lost: Vec<(crate::domain::ids::IngredientId, (i64, i64))> = consumed
        .iter()
        .map(|n| (n.ingredient, (-n.qty, 0)))
        .collect();
    crate::models::stock::record_many(
        conn,
        p,
        crate::domain::stock::MovementReason::Consume,
        &back,
        ctx,
    )?;
    crate::models::stock::record_many(
        conn,
        p,
        crate::domain::stock::MovementReason::Waste,
        &lost,
        ctx,
    )?;
    Ok(())
}
