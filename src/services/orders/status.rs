//! Status changes: the customer cancelling, staff moving an order through the kitchen and the
//! delivery, the system or a payment provider. Stock follows: starting consumes the
//! reservation, cancelling releases it (and writes off what a started order had consumed).

use super::{notify_once, record_event, OrderError, Step};
use crate::db::{write_tx, DbConn};
use crate::domain::ids::{OrderId, PizzeriaId, UserId};
use crate::domain::order::{self as lifecycle, Actor, Fulfilment, OrderStatus, Transition};
use crate::domain::token::OrderToken;
use crate::models::order::{self as rows, OrderRow};
use crate::models::stock::Context;
use crate::models::{floor, now};
use crate::services::stock::{self, Need};
use serde_json::json;

/// The customer cancels while the kitchen has not started: the reservation is released.
pub fn cancel_by_customer(conn: &mut DbConn, token: &OrderToken) -> Result<(), OrderError> {
    write_tx(conn, |tx| {
        let order = rows::by_token(tx, token)?.ok_or(OrderError::NotFound)?;
        let request = Request {
            to: OrderStatus::Cancelled,
            actor: Actor::Customer,
            user: None,
            reason: Some("Annulée par le client"),
        };
        apply_transition(tx, &order, request)
    })
}

/// A status change asked by staff, the system or a payment provider, for an order of this
/// pizzeria only.
pub fn change_status(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    id: OrderId,
    to: OrderStatus,
    actor: Actor,
    user: Option<UserId>,
    reason: Option<&str>,
) -> Result<(), OrderError> {
    write_tx(conn, |tx| {
        let order = rows::of_pizzeria(tx, pizzeria, id)?.ok_or(OrderError::NotFound)?;
        let request = Request {
            to,
            actor,
            user,
            reason,
        };
        apply_transition(tx, &order, request)
    })
}

#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    pub to: OrderStatus,
    pub actor: Actor,
    pub user: Option<UserId>,
    pub reason: Option<&'a str>,
}

pub(crate) fn apply_transition(
    tx: &mut DbConn,
    order: &OrderRow,
    r: Request<'_>,
) -> Result<(), OrderError> {
    let from = order.status;
    let transition = Transition {
        to: r.to,
        actor: r.actor,
        fulfilment: order.fulfilment,
        reason: r.reason,
    };
    lifecycle::transition(from, transition)?;
    if !rows::set_status_if(tx, order.id, &[from], r.to, now())? {
        // Someone else changed it first: judge again against what it is now.
        let current = rows::by_id(tx, order.id)?.ok_or(OrderError::NotFound)?;
        lifecycle::transition(current.status, transition)?;
        return Err(lifecycle::TransitionError::NotAllowed {
            from: current.status,
            to: r.to,
        }
        .into());
    }
    move_stock(tx, order, r)?;
    let step = Step {
        from: Some(from),
        to: r.to,
        actor: r.actor,
        user: r.user,
        reason: r.reason,
    };
    record_event(tx, order, step)?;
    if r.to == OrderStatus::Cancelled {
        // What was paid online goes back through its provider (workers::payments).
        let why = r.reason.unwrap_or("Commande annulée");
        crate::services::payments::refund_all_in(tx, order, why)?;
    }
    if let Some(event) = email_event(r.to, order.fulfilment) {
        notify_once(tx, order, event, json!({ "reason": r.reason }))?;
    }
    Ok(())
}

/// Starting consumes what the order holds; cancelling gives it back.
fn move_stock(tx: &mut DbConn, order: &OrderRow, r: Request<'_>) -> Result<(), OrderError> {
    let held: Vec<Need> = rows::reserved_for(tx, order.id)?
        .into_iter()
        .map(|(ingredient, qty)| Need { ingredient, qty })
        .collect();
    let ctx = Context {
        order: Some(order.id),
        user: r.user,
        note: r.reason,
    };
    match r.to {
        OrderStatus::InPreparation => stock::consume_in(tx, order.pizzeria_id, &held, ctx)?,
        OrderStatus::Cancelled => {
            stock::release_in(tx, order.pizzeria_id, &held, ctx)?;
            // A started order's ingredients are in the bin: the ledger writes them off.
            let consumed: Vec<Need> = floor::consumed_for(tx, order.id)?
                .into_iter()
                .map(|(ingredient, qty)| Need { ingredient, qty })
                .collect();
            crate::services::floor::write_off_consumed_in(tx, order.pizzeria_id, &consumed, ctx)?;
        }
        _ => {}
    }
    Ok(())
}

/// Which e-mail a new status sends the customer, if any.
fn email_event(to: OrderStatus, fulfilment: Fulfilment) -> Option<&'static str> {
    match to {
        OrderStatus::InPreparation => Some("preparing"),
        OrderStatus::Ready if fulfilment == Fulfilment::Pickup => Some("ready"),
        OrderStatus::OutForDelivery => Some("out_for_delivery"),
        OrderStatus::Delivered => Some("delivered"),
        OrderStatus::Cancelled => Some("cancelled"),
        _ => None,
    }
}
