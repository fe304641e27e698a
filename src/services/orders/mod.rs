//! Placing, modifying and cancelling orders, and moving them through their lifecycle. Each use
//! case is one transaction: order rows, stock reservation, order event, e-mail outbox.

mod modify;
mod place;
mod status;

pub use modify::modify;
pub(crate) use place::{finish_order, write_order, OrderSpec};
pub use place::{place, placed_with, Checkout, Placed};
pub(crate) use status::{apply_transition, Request};

/// The order's confirmation e-mail (once): at placement, or for an online order when its
/// payment is confirmed.
pub(crate) fn confirm_in(
    tx: &mut DbConn,
    order: &OrderRow,
    extra: serde_json::Value,
) -> QueryResult<()> {
    notify(tx, order, "confirmed", extra)
}
pub use status::{cancel_by_customer, change_status};

use crate::db::{AsDieselError, DbConn};
use crate::domain::cart::{CartLine, Shortage};
use crate::domain::ids::{PizzeriaId, ProductId, UserId};
use crate::domain::money::Money;
use crate::domain::order::{Actor, OrderStatus, TransitionError};
use crate::models::order::{self as rows, NewOrderEvent, OrderLine, OrderRow};
use crate::models::stock::Change;
use crate::models::{catalog, menu, now, outbox};
use crate::services::stock::{Need, StockError};
use diesel::result::Error as DieselError;
use diesel::QueryResult;
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("Votre panier est vide.")]
    EmptyCart,
    #[error("« {0} » n'est plus proposé par cette pizzeria : retirez-le de votre panier.")]
    Unavailable(String),
    #[error("Ce produit n'existe pas ou n'est pas proposé par cette pizzeria.")]
    UnknownProduct,
    #[error("{}", shortage_sentences(.0))]
    OutOfStock(Vec<Shortage>),
    #[error("{0}")]
    Transition(#[from] TransitionError),
    #[error("Cette commande est introuvable.")]
    NotFound,
    #[error("Votre panier a changé entre-temps (dans un autre onglet ?) : vérifiez-le puis validez à nouveau.")]
    CartChanged,
    #[error("{0} ne prend plus de commandes en ligne. Votre panier est conservé : choisissez une autre pizzeria, ou appelez-la.")]
    PizzeriaInactive(String),
    #[error("{0}")]
    Stock(StockError),
    #[error("Le paiement en ligne de cette commande est en cours : terminez-le (ou choisissez de payer à la livraison) avant de la modifier.")]
    PaymentInProgress,
    #[error("Cette commande est déjà payée en ligne ({0}) : elle peut être réduite (la différence vous est remboursée), pas augmentée. Pour ajouter des pizzas, passez une autre commande.")]
    PaidAlready(Money),
    #[error(transparent)]
    Db(#[from] DieselError),
}

fn shortage_sentences(shortages: &[Shortage]) -> String {
    if shortages.is_empty() {
        return "Les ingrédients ne suffisent plus pour toute votre commande : réduisez les quantités."
            .into();
    }
    shortages
        .iter()
        .map(Shortage::message)
        .collect::<Vec<_>>()
        .join(" ")
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

/// Ingredient needs of some lines, from today's recipes.
pub(crate) fn needs_of(conn: &mut DbConn, lines: &[CartLine]) -> QueryResult<Vec<Need>> {
    let ids: Vec<ProductId> = lines.iter().map(|l| l.product).collect();
    let qty: HashMap<ProductId, i64> = lines
        .iter()
        .map(|l| (l.product, i64::from(l.qty)))
        .collect();
    Ok(catalog::recipes(conn, &ids)?
        .into_iter()
        .map(|(product, ingredient, per_unit)| Need {
            ingredient,
            qty: per_unit * qty[&product],
        })
        .collect())
}

fn total_of(lines: &[OrderLine]) -> Result<Money, OrderError> {
    lines
        .iter()
        .try_fold(Money::ZERO, |acc, l| {
            l.unit_price
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
    already: &HashMap<ProductId, u32>,
) -> QueryResult<Vec<Shortage>> {
    let counts = menu::counts(conn, pizzeria)?;
    let ids: Vec<ProductId> = lines.iter().map(|l| l.product).collect();
    let names: HashMap<ProductId, String> = catalog::names(conn, &ids)?.into_iter().collect();
    Ok(lines
        .iter()
        .filter_map(|l| {
            let left = counts.get(&l.product).copied().unwrap_or(0)
                + i64::from(already.get(&l.product).copied().unwrap_or(0));
            (left < i64::from(l.qty)).then(|| Shortage {
                product: l.product,
                name: names.get(&l.product).cloned().unwrap_or_default(),
                wanted: l.qty,
                left,
            })
        })
        .collect())
}

/// One entry of the order's event log: who moved it from what to what, and why.
pub(crate) struct Step<'a> {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub actor: Actor,
    pub user: Option<UserId>,
    pub reason: Option<&'a str>,
}

pub(crate) fn record_event(conn: &mut DbConn, order: &OrderRow, step: Step<'_>) -> QueryResult<()> {
    rows::insert_event(
        conn,
        &NewOrderEvent {
            order_id: order.id,
            pizzeria_id: order.pizzeria_id,
            from_status: step.from,
            to_status: step.to,
            actor_kind: step.actor,
            actor_user_id: step.user,
            reason: step.reason,
            created_at: now(),
        },
    )
}

/// Queues the e-mail of an order event; the dedupe key makes a replay harmless.
pub(crate) fn notify(
    conn: &mut DbConn,
    order: &OrderRow,
    event: &str,
    extra: serde_json::Value,
) -> QueryResult<()> {
    notify_as(
        conn,
        order,
        event,
        &format!("order:{}:{event}", order.id),
        extra,
    )
}

/// The e-mail of a step that may be reached twice (started again after an undo): sent once.
pub(crate) fn notify_once(
    conn: &mut DbConn,
    order: &OrderRow,
    event: &str,
    extra: serde_json::Value,
) -> QueryResult<()> {
    let Some(payload) = payload_of(order, event, extra) else {
        return Ok(());
    };
    let key = format!("order:{}:{event}", order.id);
    let template = format!("order_{event}");
    let to = &order.customer_email;
    outbox::enqueue_once(conn, &key, to, &template, &payload, Some(order.id)).map(drop)
}

/// The same, under a dedupe key of the caller's (an event that can happen more than once).
pub(crate) fn notify_as(
    conn: &mut DbConn,
    order: &OrderRow,
    event: &str,
    dedupe_key: &str,
    extra: serde_json::Value,
) -> QueryResult<()> {
    let Some(payload) = payload_of(order, event, extra) else {
        return Ok(());
    };
    outbox::enqueue(
        conn,
        dedupe_key,
        &order.customer_email,
        &format!("order_{event}"),
        &payload,
        Some(order.id),
    )
}

/// What an order's e-mail says; None when the order has no e-mail address (taken by phone or
/// at the counter): nothing to send.
fn payload_of(
    order: &OrderRow,
    event: &str,
    extra: serde_json::Value,
) -> Option<serde_json::Value> {
    (!order.customer_email.is_empty()).then(|| {
        json!({
            "order_token": order.token,
            "customer_name": order.customer_name,
            "event": event,
            "details": extra,
        })
    })
}
