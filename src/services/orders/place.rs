//! Placing an order from the session's cart: one transaction that checks the cart is still
//! what the customer confirmed, writes the order, and reserves its ingredients last.

use super::{needs_of, notify, record_event, shortages, total_of, OrderError, Step};
use crate::db::{write_tx, DbConn};
use crate::domain::cart::{Cart, CartLine};
use crate::domain::contact::{Address, Contact};
use crate::domain::ids::{OrderId, PizzeriaId, UserId};
use crate::domain::order::{Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::recap::{Recap, RecapVersion};
use crate::domain::token::{CheckoutKey, OrderToken, SessionId};
use crate::models::order::{self as rows, NewOrder, OrderLine, OrderRow};
use crate::models::session::SessionData;
use crate::models::stock::Context;
use crate::models::{idempotency, now, order_number, session, user};
use crate::services::accounts::new_address;
use crate::services::stock::Need;
use crate::services::{cart, stock, tokens};
use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::QueryResult;
use serde_json::json;
use std::collections::HashMap;

/// A validated checkout: everything the order needs but its lines, which are the session's
/// cart, and its prices, which are read from the catalogue.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub pizzeria: PizzeriaId,
    /// The session whose cart becomes this order (emptied in the same transaction).
    pub session: SessionId,
    /// The version of the recap the form showed: the order is placed only if it still holds.
    pub shown: RecapVersion,
    pub contact: Contact,
    /// Some for delivery, None for pickup.
    pub delivery: Option<Address>,
    /// None: as soon as possible.
    pub desired_at: Option<NaiveDateTime>,
    pub payment: PaymentMethod,
    pub channel: Channel,
    pub user: Option<UserId>,
    /// Also keep the delivery address in the customer's account.
    pub save_address: bool,
    pub key: CheckoutKey,
    /// What the customer is told: ready (pickup) or delivered around then, estimated from
    /// the queue by the caller (an estimate need not hold the stock's locks).
    pub promised_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub id: OrderId,
    pub token: OrderToken,
    /// True when this checkout form had already been placed (double click, resubmission).
    pub replayed: bool,
}

/// The tracking token of the order a checkout form already placed, if any.
pub fn placed_with(conn: &mut DbConn, key: &CheckoutKey) -> QueryResult<Option<OrderToken>> {
    Ok(idempotency::checkout_order(conn, key)?.map(|(_, token)| token))
}

/// Places an order. A checkout form placed twice gives back the first order.
pub fn place(conn: &mut DbConn, c: &Checkout) -> Result<Placed, OrderError> {
    if let Some(done) = replayed(conn, &c.key)? {
        return Ok(done);
    }
    match write_tx(conn, |tx| place_in(tx, c)) {
        // The same form placed meanwhile (a double click): the session's cart is gone, or the
        // key is taken. Either way the customer lands on that order.
        Err(e @ OrderError::CartChanged) => replayed(conn, &c.key)?.ok_or(e),
        Err(OrderError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))) => replayed(conn, &c.key)?.ok_or(OrderError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))),
        Err(OrderError::OutOfStock(_)) => {
            let lines = session_cart(conn, &c.session)?.map_or_else(Vec::new, |c| c.lines);
            Err(OrderError::OutOfStock(shortages(
                conn,
                c.pizzeria,
                &lines,
                &HashMap::new(),
            )?))
        }
        other => other,
    }
}

fn replayed(conn: &mut DbConn, key: &CheckoutKey) -> QueryResult<Option<Placed>> {
    Ok(
        idempotency::checkout_order(conn, key)?.map(|(id, token)| Placed {
            id,
            token,
            replayed: true,
        }),
    )
}

fn session_cart(conn: &mut DbConn, id: &SessionId) -> QueryResult<Option<Cart>> {
    Ok(session::find(conn, id)?.and_then(|s| s.data().cart))
}

/// The session (its row locked) and its cart, priced as of now and still what the form showed.
fn confirmed_cart(tx: &mut DbConn, c: &Checkout) -> Result<(SessionData, Cart, Recap), OrderError> {
    // Reading the session with a row lock makes two tabs take turns.
    let data = session::find_locked(tx, &c.session)?
        .map(|s| s.data())
        .unwrap_or_default();
    let cart = data
        .cart
        .clone()
        .filter(|cart| cart.pizzeria == c.pizzeria && !cart.is_empty())
        .ok_or(OrderError::CartChanged)?;
    let view = cart::view(tx, &cart)?;
    if !view.pizzeria_active {
        return Err(OrderError::PizzeriaInactive(view.pizzeria_name));
    }
    let recap = view.recap;
    if let Some(gone) = recap.lines.iter().find(|l| !l.offered) {
        return Err(OrderError::Unavailable(gone.name.clone()));
    }
    if recap.version() != c.shown {
        return Err(OrderError::CartChanged);
    }
    Ok((data, cart, recap))
}

fn place_in(tx: &mut DbConn, c: &Checkout) -> Result<Placed, OrderError> {
    let (mut data, cart, recap) = confirmed_cart(tx, c)?;
    let spec = OrderSpec {
        pizzeria: c.pizzeria,
        contact: &c.contact,
        delivery: c.delivery.as_ref(),
        desired_at: c.desired_at,
        payment: c.payment,
        paid: false,
        channel: c.channel,
        customer: c.user,
        actor: Actor::Customer,
        actor_user: c.user,
        promised_at: c.promised_at,
    };
    let (order, needs) = write_order(tx, &spec, &recap, &cart.lines)?;
    // Unique: the same form placed by another request at the same time fails here and rolls
    // back, then finds that order (see `place`).
    idempotency::insert_checkout(tx, &c.key, order.id, order.created_at)?;
    if c.save_address {
        keep_address(tx, c)?;
    }
    data.cart = None;
    session::save_data(tx, &c.session, &data)?;
    finish_order(tx, &order, &needs, c.user)?;
    Ok(Placed {
        id: order.id,
        token: order.token,
        replayed: false,
    })
}

/// What any order is made of, whoever enters it (the customer online, the counter, the phone).
pub(crate) struct OrderSpec<'a> {
    pub pizzeria: PizzeriaId,
    pub contact: &'a Contact,
    /// Some for delivery, None for pickup.
    pub delivery: Option<&'a Address>,
    pub desired_at: Option<NaiveDateTime>,
    pub payment: PaymentMethod,
    /// Paid already (at the counter, when it is entered).
    pub paid: bool,
    pub channel: Channel,
    /// The customer's account, if any.
    pub customer: Option<UserId>,
    /// Who enters it, for its first event.
    pub actor: Actor,
    pub actor_user: Option<UserId>,
    /// What the customer is promised.
    pub promised_at: Option<NaiveDateTime>,
}

/// Writes the order, its lines (the recap's names and prices), its first event and its
/// confirmation e-mail; returns it with its ingredient needs. The caller then does its own
/// writes and calls `finish_order`.
pub(crate) fn write_order(
    tx: &mut DbConn,
    spec: &OrderSpec<'_>,
    recap: &Recap,
    cart: &[CartLine],
) -> Result<(OrderRow, Vec<Need>), OrderError> {
    let t = now();
    let mut lines: Vec<OrderLine> = recap
        .lines
        .iter()
        .map(|l| OrderLine {
            order_id: OrderId(0),
            product_id: l.product,
            product_name: l.name.clone(),
            unit_price: l.unit_price,
            quantity: l.qty as i32,
        })
        .collect();
    let total = total_of(&lines)?;
    let token = tokens::order_token();
    let status = OrderStatus::initial(spec.payment);
    let id = rows::insert(tx, &new_order(spec, &token, status, total, t))?;
    for line in &mut lines {
        line.order_id = id;
    }
    rows::insert_lines(tx, &lines)?;
    let needs = needs_of(tx, cart)?;
    let order = rows::by_id(tx, id)?.ok_or(OrderError::NotFound)?;
    let step = Step {
        from: None,
        to: status,
        actor: spec.actor,
        user: spec.actor_user,
        reason: None,
    };
    record_event(tx, &order, step)?;
    // An online order is confirmed when its payment is.
    if !spec.payment.is_online() {
        let promised = spec.promised_at.map(|p| p.to_string());
        let details = json!({ "total": total.to_string(), "promised_at": promised });
        notify(tx, &order, "confirmed", details)?;
    }
    Ok((order, needs))
}

/// Last: the day's number and the stock rows every order of this pizzeria competes for stay
/// locked only from here to the commit.
pub(crate) fn finish_order(
    tx: &mut DbConn,
    order: &OrderRow,
    needs: &[Need],
    user: Option<UserId>,
) -> Result<(), OrderError> {
    let number = order_number::next(tx, order.pizzeria_id, service_day(order.created_at))?;
    rows::set_number(tx, order.id, number)?;
    let ctx = Context {
        order: Some(order.id),
        user,
        note: None,
    };
    stock::reserve_in(tx, order.pizzeria_id, needs, ctx)?;
    Ok(())
}

fn new_order<'a>(
    c: &'a OrderSpec<'a>,
    token: &'a OrderToken,
    status: OrderStatus,
    total: crate::domain::money::Money,
    t: NaiveDateTime,
) -> NewOrder<'a> {
    let address = c.delivery;
    NewOrder {
        pizzeria_id: c.pizzeria,
        token,
        user_id: c.customer,
        channel: c.channel,
        fulfilment: if address.is_some() {
            Fulfilment::Delivery
        } else {
            Fulfilment::Pickup
        },
        status,
        payment_status: if c.paid {
            PaymentStatus::Paid
        } else {
            PaymentStatus::Unpaid
        },
        payment_method: c.payment,
        customer_name: &c.contact.name,
        customer_phone: &c.contact.phone,
        customer_email: &c.contact.email,
        delivery_street: address.map(|a| a.street.as_str()),
        delivery_postal_code: address.map(|a| a.postal_code.as_str()),
        delivery_city: address.map(|a| a.city.as_str()),
        delivery_instructions: address.and_then(|a| a.instructions.as_deref()),
        desired_at: c.desired_at,
        total,
        created_at: t,
        updated_at: t,
        service_date: Some(service_day(t)),
        promised_at: c.promised_at.filter(|_| status == OrderStatus::Received),
    }
}

/// The pizzeria's day (Paris) of an order placed at `t` (UTC).
fn service_day(t: NaiveDateTime) -> chrono::NaiveDate {
    crate::domain::hours::paris(t.and_utc()).date()
}

/// The delivery address joins the customer's saved addresses, unless it is there already.
fn keep_address(tx: &mut DbConn, c: &Checkout) -> QueryResult<()> {
    let (Some(customer), Some(a)) = (c.user, c.delivery.as_ref()) else {
        return Ok(());
    };
    let saved = user::addresses(tx, customer)?;
    if saved
        .iter()
        .any(|s| s.street == a.street && s.postal_code == a.postal_code)
    {
        return Ok(());
    }
    user::insert_address(tx, &new_address(customer, "Adresse de livraison", a))
}
