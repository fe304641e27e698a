//! The counter and the phone: orders entered by staff through the same pipeline as the
//! customer's (today's prices, the same reservation, numbers and queue), pickups handed over,
//! customers looked up by phone, and orders cancelled by staff with a reason.

use super::{advance, collect, hand_over, load, FloorError, Member};
use crate::db::{write_tx, DbConn};
use crate::domain::cart::{Cart, CartLine};
use crate::domain::contact::{parse_phone, Address, Contact};
use crate::domain::floor::{parse_reason, Collection, Hand};
use crate::domain::ids::OrderId;
use crate::domain::order::{
    Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, TransitionError,
};
use crate::domain::token::{CheckoutKey, OrderToken};
use crate::models::customer::{self, KnownCustomer};
use crate::models::floor as rows;
use crate::models::idempotency;
use crate::services::cart;
use crate::services::orders::{finish_order, shortages, write_order, OrderError, OrderSpec};
use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use std::collections::HashMap;

/// An order as the counter entered it, already parsed.
#[derive(Debug, Clone)]
pub struct CounterOrder {
    pub lines: Vec<CartLine>,
    pub contact: Contact,
    /// Some for delivery, None for pickup.
    pub delivery: Option<Address>,
    pub desired_at: Option<NaiveDateTime>,
    /// Phone or counter.
    pub channel: Channel,
    /// On delivery, at pickup, or at the counter.
    pub payment: PaymentMethod,
    /// Paid now at the counter: how.
    pub paid_now: Option<Hand>,
    /// The form's key: submitted twice, it places one order.
    pub key: CheckoutKey,
    /// What the customer is told (estimated from the queue by the caller).
    pub promised_at: Option<NaiveDateTime>,
}

/// Places a phone or counter order; the same form sent twice gives back the first order.
pub fn place_counter_order(
    conn: &mut DbConn,
    by: Member,
    c: &CounterOrder,
) -> Result<(OrderId, OrderToken), FloorError> {
    if let Some(done) = idempotency::checkout_order(conn, &c.key)? {
        return Ok(done);
    }
    match write_tx(conn, |tx| place_in(tx, by, c)) {
        Err(FloorError::Db(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, i))) => {
            idempotency::checkout_order(conn, &c.key)?.ok_or(FloorError::Db(
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, i),
            ))
        }
        Err(FloorError::Order(OrderError::OutOfStock(_))) => {
            let short = shortages(conn, by.pizzeria, &c.lines, &HashMap::new())?;
            Err(FloorError::Order(OrderError::OutOfStock(short)))
        }
        other => other,
    }
}

fn place_in(
    tx: &mut DbConn,
    by: Member,
    c: &CounterOrder,
) -> Result<(OrderId, OrderToken), FloorError> {
    let cart = Cart {
        pizzeria: by.pizzeria,
        lines: c.lines.clone(),
    };
    if cart.is_empty() {
        return Err(OrderError::EmptyCart.into());
    }
    let view = cart::view(tx, &cart)?;
    if !view.pizzeria_active {
        return Err(OrderError::PizzeriaInactive(view.pizzeria_name).into());
    }
    if let Some(gone) = view.recap.lines.iter().find(|l| !l.offered) {
        return Err(OrderError::Unavailable(gone.name.clone()).into());
    }
    let spec = OrderSpec {
        pizzeria: by.pizzeria,
        contact: &c.contact,
        delivery: c.delivery.as_ref(),
        desired_at: c.desired_at,
        payment: c.payment,
        paid: c.paid_now.is_some(),
        channel: c.channel,
        customer: None,
        actor: Actor::Staff,
        actor_user: Some(by.user),
        promised_at: c.promised_at,
    };
    let (order, needs) = write_order(tx, &spec, &view.recap, &c.lines)?;
    idempotency::insert_checkout(tx, &c.key, order.id, order.created_at)?;
    let paid = c.paid_now.map(|hand| Collection {
        hand,
        amount: order.total,
    });
    collect(tx, by, &order, paid)?;
    finish_order(tx, &order, &needs, Some(by.user))?;
    Ok((order.id, order.token))
}

/// What earlier orders of this number say: names and addresses to offer.
pub fn known_customer(
    conn: &mut DbConn,
    by: Member,
    phone: &str,
) -> Result<KnownCustomer, FloorError> {
    let phone = parse_phone(phone).map_err(FloorError::Invalid)?;
    Ok(customer::known_customer(conn, by.pizzeria, &phone)?)
}

/// A READY pickup handed over at the counter; an unpaid one records what was collected.
pub fn handover(
    conn: &mut DbConn,
    by: Member,
    id: OrderId,
    hand: &str,
    amount: &str,
) -> Result<(), FloorError> {
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        if order.order.fulfilment != Fulfilment::Pickup {
            return Err(FloorError::Invalid(format!(
                "La commande {} est une livraison : elle se remet au livreur.",
                order.order.number_label()
            )));
        }
        let step = (OrderStatus::Ready, OrderStatus::PickedUp);
        hand_over(tx, by, &order, step, hand, amount)
    })
}

/// Staff cancel an order that has not left, saying why. The reservation is released; what a
/// started order had consumed is written off as waste.
pub fn cancel(conn: &mut DbConn, by: Member, id: OrderId, reason: &str) -> Result<(), FloorError> {
    let reason = parse_reason(reason).map_err(FloorError::Invalid)?;
    write_tx(conn, |tx| {
        let order = load(tx, by, id)?;
        if order.order.status == OrderStatus::OutForDelivery {
            return Err(FloorError::Invalid(
                TransitionError::AlreadyLeft.to_string(),
            ));
        }
        advance(
            tx,
            by,
            &order,
            &[
                OrderStatus::AwaitingPayment,
                OrderStatus::Received,
                OrderStatus::InPreparation,
                OrderStatus::Ready,
            ],
            OrderStatus::Cancelled,
            Some(&reason),
        )?;
        if order.order.delivery_problem.is_some() {
            rows::set_delivery_problem(tx, id, None)?;
        }
        Ok(())
    })
}
