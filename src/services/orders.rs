//! Placing, modifying and cancelling orders, and moving them through their lifecycle. Each use
//! case is one transaction: order rows, stock reservation, order event, e-mail outbox.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::cart::CartLine;
use crate::domain::ids::{IngredientId, OrderId, PizzeriaId, ProductId, UserId};
use crate::domain::money::Money;
use crate::domain::order::{
    self as lifecycle, Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, PaymentStatus,
    Transition,
};
use crate::models::order::{self as rows, NewOrder, NewOrderEvent, OrderLine, OrderRow};
use crate::models::stock::{Change, Context};
use crate::models::{catalog, menu, now, outbox, session};
use crate::services::sessions::random_token;
use crate::services::stock::{self, Need, StockError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub instructions: Option<String>,
}

/// A validated checkout: everything the order needs, prices excepted (read from the catalogue).
#[derive(Debug, Clone)]
pub struct Checkout {
    pub pizzeria: PizzeriaId,
    pub lines: Vec<CartLine>,
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
    pub idempotency_key: String,
    /// The session whose cart becomes this order (emptied in the same transaction).
    pub session_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub id: OrderId,
    pub token: String,
    /// True when this checkout form had already been placed (double click, resubmission).
    pub replayed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub product: ProductId,
    pub name: String,
    pub wanted: u32,
    pub left: i64,
}

impl Shortage {
    pub fn message(&self) -> String {
        match self.left {
            0 => format!(
                "« {} » est épuisée : retirez-la de votre panier.",
                self.name
            ),
            1 => format!(
                "Il ne reste qu'un(e) « {} » (vous en demandez {}).",
                self.name, self.wanted
            ),
            n => format!(
                "Il ne reste que {n} « {} » (vous en demandez {}).",
                self.name, self.wanted
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("votre panier est vide")]
    EmptyCart,
    #[error("« {0} » n'est plus proposé par cette pizzeria : retirez-le de votre panier.")]
    Unavailable(String),
    #[error("stock insuffisant")]
    OutOfStock(Vec<Shortage>),
    #[error("{0}")]
    Transition(#[from] lifecycle::TransitionError),
    #[error("commande introuvable")]
    NotFound,
    #[error("votre panier a changé entre-temps (dans un autre onglet ?) : vérifiez-le puis validez à nouveau.")]
    CartChanged,
    #[error("{0}")]
    Stock(StockError),
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl From<StockError> for OrderError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Insufficient { .. } | StockError::Refused(Change::Reserve) => {
                OrderError::OutOfStock(Vec::new())
            }
            StockError::Db(e) => OrderError::Db(e),
            other => OrderError::Stock(other),
        }
    }
}

impl AsDieselError for OrderError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            OrderError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl OrderError {
    /// One French sentence for the customer.
    pub fn message(&self) -> String {
        match self {
            OrderError::OutOfStock(s) if !s.is_empty() => s.iter().map(Shortage::message).collect::<Vec<_>>().join(" "),
            OrderError::OutOfStock(_) => "Les ingrédients ne suffisent plus pour toute votre commande : réduisez les quantités.".into(),
            OrderError::Transition(lifecycle::TransitionError::TooLateForCustomer | lifecycle::TransitionError::NotAllowed { .. }) => {
                lifecycle::TransitionError::TooLateForCustomer.to_string()
            }
            OrderError::Db(_) => "Une erreur inattendue est survenue. Votre commande n'a pas été enregistrée.".into(),
            other => {
                let m = other.to_string();
                let mut c = m.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
        }
    }
}

/// Ingredient needs of some lines, from today's recipes.
fn needs_of(conn: &mut DbConn, lines: &[(i64, u32)]) -> QueryResult<Vec<Need>> {
    let ids: Vec<i64> = lines.iter().map(|(p, _)| *p).collect();
    let qty: HashMap<i64, i64> = lines.iter().map(|(p, q)| (*p, i64::from(*q))).collect();
    Ok(catalog::recipes(conn, &ids)?
        .into_iter()
        .map(|(product, ingredient, per_unit)| Need {
            ingredient: IngredientId(ingredient),
            qty: per_unit * qty[&product],
        })
        .collect())
}

/// Snapshots of the lines at today's menu prices; refuses a product no longer offered.
fn price_lines(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    lines: &[CartLine],
) -> Result<Vec<OrderLine>, OrderError> {
    let ids: Vec<i64> = lines.iter().map(|l| l.product.0).collect();
    let offered: HashMap<i64, catalog::Orderable> = catalog::orderable(conn, pizzeria, &ids)?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    lines
        .iter()
        .map(|l| match offered.get(&l.product.0) {
            Some(o) => Ok(OrderLine {
                order_id: 0,
                product_id: o.id,
                product_name: o.name.clone(),
                unit_price_cents: o.price_cents,
                quantity: l.qty as i32,
            }),
            None => {
                let name = catalog::names(conn, &[l.product.0])?
                    .pop()
                    .map(|(_, n)| n)
                    .unwrap_or_else(|| "Un produit".into());
                Err(OrderError::Unavailable(name))
            }
        })
        .collect()
}

fn total_of(lines: &[OrderLine]) -> Result<Money, OrderError> {
    lines
        .iter()
        .try_fold(Money::ZERO, |acc, l| {
            Money::from_cents(l.unit_price_cents)
                .checked_mul(i64::from(l.quantity))
                .and_then(|m| acc.checked_add(m))
        })
        .ok_or(OrderError::Stock(StockError::InvalidQuantity))
}

/// Which lines the stock can no longer make, read after the failed transaction rolled back.
/// `already` is what the order itself holds (for a modification).
pub fn shortages(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    lines: &[CartLine],
    already: &HashMap<i64, u32>,
) -> QueryResult<Vec<Shortage>> {
    let counts = menu::counts(conn, pizzeria)?;
    let ids: Vec<i64> = lines.iter().map(|l| l.product.0).collect();
    let names: HashMap<i64, String> = catalog::names(conn, &ids)?.into_iter().collect();
    Ok(lines
        .iter()
        .filter_map(|l| {
            let left = counts.get(&l.product).copied().unwrap_or(0)
                + i64::from(already.get(&l.product.0).copied().unwrap_or(0));
            (left < i64::from(l.qty)).then(|| Shortage {
                product: l.product,
                name: names.get(&l.product.0).cloned().unwrap_or_default(),
                wanted: l.qty,
                left,
            })
        })
        .collect())
}

fn record_event(
    conn: &mut DbConn,
    order: &OrderRow,
    from: Option<OrderStatus>,
    to: OrderStatus,
    actor: Actor,
    user: Option<UserId>,
    reason: Option<&str>,
) -> QueryResult<()> {
    rows::insert_event(
        conn,
        &NewOrderEvent {
            order_id: order.id,
            pizzeria_id: order.pizzeria_id,
            from_status: from.map(|s| s.as_str()),
            to_status: to.as_str(),
            actor_kind: actor.as_str(),
            actor_user_id: user.map(|u| u.0),
            reason,
            created_at: now(),
        },
    )
}

/// Queues the e-mail of an order event; the dedupe key makes a replay harmless.
fn notify(
    conn: &mut DbConn,
    order: &OrderRow,
    event: &str,
    extra: serde_json::Value,
) -> QueryResult<()> {
    let payload = json!({ "order_token": order.token, "customer_name": order.customer_name, "event": event, "details": extra });
    outbox::enqueue(
        conn,
        &format!("order:{}:{event}", order.id),
        &order.customer_email,
        &format!("order_{event}"),
        &payload,
        Some(order.oid()),
    )
}

fn find_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<(i64, String)>> {
    use crate::db::schema::{idempotency_keys as k, orders as o};
    k::table
        .inner_join(o::table)
        .filter(k::scope.eq("checkout"))
        .filter(k::idem_key.eq(key))
        .select((o::id, o::token))
        .first(conn)
        .optional()
}

/// A checkout form is replayed for this long; older keys are deleted by the housekeeping.
const CHECKOUT_KEY_DAYS: i64 = 2;

pub fn forget_checkout_keys(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::idempotency_keys as k;
    diesel::delete(
        k::table
            .filter(k::scope.eq("checkout"))
            .filter(k::created_at.lt(now - chrono::Duration::days(CHECKOUT_KEY_DAYS))),
    )
    .execute(conn)
}

/// The tracking token of the order a checkout form already placed, if any.
pub fn placed_with(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    find_key(conn, key).map(|found| found.map(|(_, token)| token))
}

/// Places an order. A checkout form placed twice gives back the first order.
pub fn place(conn: &mut DbConn, c: &Checkout) -> Result<Placed, OrderError> {
    if c.lines.is_empty() {
        return Err(OrderError::EmptyCart);
    }
    if let Some((id, token)) = find_key(conn, &c.idempotency_key)? {
        return Ok(Placed {
            id: OrderId(id),
            token,
            replayed: true,
        });
    }
    let replay = |conn: &mut DbConn, refusal: OrderError| match find_key(conn, &c.idempotency_key)?
    {
        Some((id, token)) => Ok(Placed {
            id: OrderId(id),
            token,
            replayed: true,
        }),
        None => Err(refusal),
    };
    match write_tx(conn, |tx| place_in(tx, c)) {
        // The same form placed meanwhile (a double click): the session's cart is gone, or the
        // key is taken. Either way the customer lands on that order.
        Err(e @ OrderError::CartChanged) => replay(conn, e),
        Err(OrderError::Db(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            info,
        ))) => replay(
            conn,
            OrderError::Db(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                info,
            )),
        ),
        Err(OrderError::OutOfStock(_)) => Err(OrderError::OutOfStock(shortages(
            conn,
            c.pizzeria,
            &c.lines,
            &HashMap::new(),
        )?)),
        other => other,
    }
}

fn place_in(tx: &mut DbConn, c: &Checkout) -> Result<Placed, OrderError> {
    use crate::db::schema::{idempotency_keys, order_lines};
    let t = now();
    // The cart must still be the one the form showed: another tab may have ordered it or
    // changed it. Reading the session with a row lock makes two tabs take turns.
    let session_data = match &c.session_id {
        Some(session_id) => {
            let data = session::find_locked(tx, session_id)?
                .map(|s| s.data())
                .unwrap_or_default();
            if data
                .cart
                .as_ref()
                .is_none_or(|cart| cart.pizzeria != c.pizzeria || cart.lines != c.lines)
            {
                return Err(OrderError::CartChanged);
            }
            Some((session_id, data))
        }
        None => None,
    };
    let mut lines = price_lines(tx, c.pizzeria, &c.lines)?;
    let total = total_of(&lines)?;
    let token = random_token();
    let status = OrderStatus::initial(c.payment);
    let address = c.delivery.as_ref();
    let new = NewOrder {
        pizzeria_id: c.pizzeria.0,
        token: &token,
        user_id: c.user.map(|u| u.0),
        channel: c.channel.as_str(),
        fulfilment: if address.is_some() {
            Fulfilment::Delivery
        } else {
            Fulfilment::Pickup
        }
        .as_str(),
        status: status.as_str(),
        payment_status: PaymentStatus::Unpaid.as_str(),
        payment_method: c.payment.as_str(),
        customer_name: &c.contact.name,
        customer_phone: &c.contact.phone,
        customer_email: &c.contact.email,
        delivery_street: address.map(|a| a.street.as_str()),
        delivery_postal_code: address.map(|a| a.postal_code.as_str()),
        delivery_city: address.map(|a| a.city.as_str()),
        delivery_instructions: address.and_then(|a| a.instructions.as_deref()),
        desired_at: c.desired_at,
        total_cents: total.cents(),
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(crate::db::schema::orders::table)
        .values(&new)
        .execute(tx)?;
    let id = OrderId(crate::db::last_insert_id(tx)?);
    for line in &mut lines {
        line.order_id = id.0;
        diesel::insert_into(order_lines::table)
            .values(&*line)
            .execute(tx)?;
    }
    let wanted: Vec<(i64, u32)> = c.lines.iter().map(|l| (l.product.0, l.qty)).collect();
    let needs = needs_of(tx, &wanted)?;
    let order = rows::by_id(tx, id)?.ok_or(OrderError::NotFound)?;
    record_event(tx, &order, None, status, Actor::Customer, c.user, None)?;
    notify(
        tx,
        &order,
        "confirmed",
        json!({ "total": total.to_string() }),
    )?;
    // Unique: the same form placed by another request at the same time fails here and rolls
    // back, then finds that order (see `place`).
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq("checkout"),
            idempotency_keys::idem_key.eq(&c.idempotency_key),
            idempotency_keys::order_id.eq(id.0),
            idempotency_keys::created_at.eq(t),
        ))
        .execute(tx)?;
    if let (Some(user), Some(a), true) = (c.user, address, c.save_address) {
        let saved = crate::models::user::addresses(tx, user)?;
        if !saved
            .iter()
            .any(|s| s.street == a.street && s.postal_code == a.postal_code)
        {
            crate::models::user::insert_address(
                tx,
                &crate::models::user::NewAddress {
                    user_id: user.0,
                    label: "Adresse de livraison",
                    street: &a.street,
                    postal_code: &a.postal_code,
                    city: &a.city,
                    instructions: a.instructions.as_deref(),
                    created_at: t,
                },
            )?;
        }
    }
    if let Some((session_id, mut data)) = session_data {
        data.cart = None;
        session::save_data(tx, session_id, &data)?;
    }
    // Last: the stock rows every checkout of this pizzeria competes for stay locked only from
    // here to the commit.
    let ctx = Context {
        order: Some(id),
        user: c.user,
        note: None,
    };
    stock::reserve_in(tx, c.pizzeria, &needs, ctx)?;
    Ok(Placed {
        id,
        token,
        replayed: false,
    })
}

const CUSTOMER_MAY_CHANGE: [OrderStatus; 2] = [OrderStatus::AwaitingPayment, OrderStatus::Received];

/// The customer changes quantities, adds or removes products while the kitchen has not started.
pub fn modify(conn: &mut DbConn, token: &str, new_lines: &[CartLine]) -> Result<(), OrderError> {
    if new_lines.is_empty() {
        return Err(OrderError::EmptyCart);
    }
    let outcome = write_tx(conn, |tx| modify_in(tx, token, new_lines));
    match outcome {
        Err(OrderError::OutOfStock(_)) => {
            let order = rows::by_token(conn, token)?.ok_or(OrderError::NotFound)?;
            let held: HashMap<i64, u32> = rows::lines(conn, order.oid())?
                .iter()
                .map(|l| (l.product_id, l.quantity as u32))
                .collect();
            Err(OrderError::OutOfStock(shortages(
                conn,
                PizzeriaId(order.pizzeria_id),
                new_lines,
                &held,
            )?))
        }
        other => other,
    }
}

fn modify_in(tx: &mut DbConn, token: &str, new_lines: &[CartLine]) -> Result<(), OrderError> {
    use crate::db::schema::order_lines;
    let order = rows::by_token(tx, token)?.ok_or(OrderError::NotFound)?;
    if !order.status().customer_may_change() {
        return Err(lifecycle::TransitionError::TooLateForCustomer.into());
    }
    // Claim the order first (a row lock on MySQL): the kitchen starting or another tab cancelling
    // waits for us, or we see what it committed.
    if !rows::touch_if(
        tx,
        order.oid(),
        &CUSTOMER_MAY_CHANGE,
        order.total_cents,
        now(),
    )? {
        return Err(lifecycle::TransitionError::TooLateForCustomer.into());
    }
    let pizzeria = PizzeriaId(order.pizzeria_id);
    let old_lines = rows::lines(tx, order.oid())?;
    // Products already ordered keep the price they were ordered at; a product added, or ordered
    // in a larger quantity, must still be on the menu.
    let kept: HashMap<i64, &OrderLine> = old_lines.iter().map(|l| (l.product_id, l)).collect();
    let grown: Vec<CartLine> = new_lines
        .iter()
        .filter(|l| {
            kept.get(&l.product.0)
                .is_none_or(|k| l.qty as i32 > k.quantity)
        })
        .copied()
        .collect();
    let priced: HashMap<i64, OrderLine> = price_lines(tx, pizzeria, &grown)?
        .into_iter()
        .map(|l| (l.product_id, l))
        .collect();
    let lines: Vec<OrderLine> = new_lines
        .iter()
        .map(|l| {
            let base = kept
                .get(&l.product.0)
                .map(|k| (*k).clone())
                .unwrap_or_else(|| priced[&l.product.0].clone());
            OrderLine {
                order_id: order.id,
                quantity: l.qty as i32,
                ..base
            }
        })
        .collect();
    let total = total_of(&lines)?;
    rows::touch_if(tx, order.oid(), &CUSTOMER_MAY_CHANGE, total.cents(), now())?;
    let held: Vec<Need> = rows::reserved_for(tx, order.oid())?
        .into_iter()
        .map(|(ingredient, qty)| Need { ingredient, qty })
        .collect();
    let wanted: Vec<(i64, u32)> = new_lines.iter().map(|l| (l.product.0, l.qty)).collect();
    let needs = needs_of(tx, &wanted)?;
    let ctx = Context {
        order: Some(order.oid()),
        user: order.user_id.map(UserId),
        note: Some("Modification de la commande"),
    };
    stock::rebalance_in(tx, pizzeria, &held, &needs, ctx)?;
    diesel::delete(order_lines::table.filter(order_lines::order_id.eq(order.id))).execute(tx)?;
    for line in &lines {
        diesel::insert_into(order_lines::table)
            .values(line)
            .execute(tx)?;
    }
    let status = order.status();
    record_event(
        tx,
        &order,
        Some(status),
        status,
        Actor::Customer,
        None,
        Some("Commande modifiée par le client"),
    )?;
    Ok(())
}

/// The customer cancels while the kitchen has not started: the reservation is released.
pub fn cancel_by_customer(conn: &mut DbConn, token: &str) -> Result<(), OrderError> {
    write_tx(conn, |tx| {
        let order = rows::by_token(tx, token)?.ok_or(OrderError::NotFound)?;
        apply(
            tx,
            &order,
            OrderStatus::Cancelled,
            Actor::Customer,
            None,
            Some("Annulée par le client"),
        )
    })
}

/// A status change asked by staff, the system or a payment provider.
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
        let order = rows::by_id(tx, id)?
            .filter(|o| o.pizzeria_id == pizzeria.0)
            .ok_or(OrderError::NotFound)?;
        apply(tx, &order, to, actor, user, reason)
    })
}

fn apply(
    tx: &mut DbConn,
    order: &OrderRow,
    to: OrderStatus,
    actor: Actor,
    user: Option<UserId>,
    reason: Option<&str>,
) -> Result<(), OrderError> {
    let from = order.status();
    let fulfilment = Fulfilment::parse(&order.fulfilment).unwrap_or(Fulfilment::Pickup);
    let request = Transition {
        to,
        actor,
        fulfilment,
        reason,
    };
    lifecycle::transition(from, request)?;
    if !rows::set_status_if(tx, order.oid(), &[from], to, now())? {
        // Someone else changed it first: judge again against what it is now.
        let current = rows::by_id(tx, order.oid())?.ok_or(OrderError::NotFound)?;
        lifecycle::transition(current.status(), request)?;
        return Err(lifecycle::TransitionError::NotAllowed {
            from: current.status(),
            to,
        }
        .into());
    }
    let held: Vec<Need> = rows::reserved_for(tx, order.oid())?
        .into_iter()
        .map(|(ingredient, qty)| Need { ingredient, qty })
        .collect();
    let ctx = Context {
        order: Some(order.oid()),
        user,
        note: reason,
    };
    let pizzeria = PizzeriaId(order.pizzeria_id);
    match to {
        OrderStatus::InPreparation => stock::consume_in(tx, pizzeria, &held, ctx)?,
        OrderStatus::Cancelled => stock::release_in(tx, pizzeria, &held, ctx)?,
        _ => {}
    }
    record_event(tx, order, Some(from), to, actor, user, reason)?;
    let event = match to {
        OrderStatus::InPreparation => Some("preparing"),
        OrderStatus::Ready if fulfilment == Fulfilment::Pickup => Some("ready"),
        OrderStatus::OutForDelivery => Some("out_for_delivery"),
        OrderStatus::Delivered => Some("delivered"),
        OrderStatus::Cancelled => Some("cancelled"),
        _ => None,
    };
    if let Some(event) = event {
        notify(tx, order, event, json!({ "reason": reason }))?;
    }
    Ok(())
}
