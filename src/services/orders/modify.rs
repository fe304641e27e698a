//! The customer changes an order while the kitchen has not started: quantities, products added
//! or removed. Only the difference of ingredients is reserved or released.

use super::{needs_of, notify_as, record_event, shortages, total_of, OrderError, Step};
use crate::db::{write_tx, DbConn};
use crate::domain::cart::CartLine;
use crate::domain::floor::change_summary;
use crate::domain::ids::{PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::order::{Actor, OrderStatus, PaymentStatus, TransitionError};
use crate::domain::token::OrderToken;
use crate::models::order::{self as rows, OrderLine, OrderRow};
use crate::models::stock::Context;
use crate::models::{catalog, now};
use crate::services::stock::{self, Need};
use serde_json::json;
use std::collections::HashMap;

const CUSTOMER_MAY_CHANGE: [OrderStatus; 2] = [OrderStatus::AwaitingPayment, OrderStatus::Received];

pub fn modify(
    conn: &mut DbConn,
    token: &OrderToken,
    new_lines: &[CartLine],
) -> Result<(), OrderError> {
    if new_lines.is_empty() {
        return Err(OrderError::EmptyCart);
    }
    match write_tx(conn, |tx| modify_in(tx, token, new_lines)) {
        Err(OrderError::OutOfStock(_)) => {
            let order = rows::by_token(conn, token)?.ok_or(OrderError::NotFound)?;
            let held: HashMap<ProductId, u32> = rows::lines(conn, order.id)?
                .iter()
                .map(|l| (l.product_id, l.quantity as u32))
                .collect();
            Err(OrderError::OutOfStock(shortages(
                conn,
                order.pizzeria_id,
                new_lines,
                &held,
            )?))
        }
        other => other,
    }
}

fn modify_in(
    tx: &mut DbConn,
    token: &OrderToken,
    new_lines: &[CartLine],
) -> Result<(), OrderError> {
    let order = rows::by_token(tx, token)?.ok_or(OrderError::NotFound)?;
    // Claim the order first (a row lock on MySQL): the kitchen starting or another tab cancelling
    // waits for us, or we see what it committed.
    if !order.status.customer_may_change()
        || !rows::touch_if(tx, order.id, &CUSTOMER_MAY_CHANGE, order.total, now())?
    {
        return Err(TransitionError::TooLateForCustomer.into());
    }
    let old_lines = rows::lines(tx, order.id)?;
    let lines = repriced(tx, &order, &old_lines, new_lines)?;
    let total = total_of(&lines)?;
    paid_online_allows(tx, &order, total)?;
    rows::touch_if(tx, order.id, &CUSTOMER_MAY_CHANGE, total, now())?;
    let held: Vec<Need> = rows::reserved_for(tx, order.id)?
        .into_iter()
        .map(|(ingredient, qty)| Need { ingredient, qty })
        .collect();
    let needs = needs_of(tx, new_lines)?;
    let ctx = Context {
        order: Some(order.id),
        user: order.user_id,
        note: Some("Modification de la commande"),
    };
    stock::rebalance_in(tx, order.pizzeria_id, &held, &needs, ctx)?;
    rows::delete_lines(tx, order.id)?;
    rows::insert_lines(tx, &lines)?;
    let named = |lines: &[OrderLine]| -> Vec<(String, i32)> {
        lines
            .iter()
            .map(|l| (l.product_name.clone(), l.quantity))
            .collect()
    };
    let what = format!(
        "Modifiée par le client : {}",
        change_summary(&named(&old_lines), &named(&lines))
    );
    let step = Step {
        from: Some(order.status),
        to: order.status,
        actor: Actor::Customer,
        user: None,
        reason: Some(&what),
    };
    record_event(tx, &order, step)?;
    if total != order.total {
        // A new total is a new commitment: the customer gets it in writing, like the first.
        let key = format!(
            "order:{}:modified:{}",
            order.id,
            now().and_utc().timestamp_micros()
        );
        let details =
            json!({ "total": total.to_string(), "previous_total": order.total.to_string() });
        notify_as(tx, &order, "modified", &key, details)?;
    }
    Ok(())
}

/// An order paid online may shrink (the difference is refunded through its provider), never
/// grow; one whose payment is under way may not change (its page shows the old amount).
fn paid_online_allows(tx: &mut DbConn, order: &OrderRow, total: Money) -> Result<(), OrderError> {
    if !order.payment_method.is_online() {
        return Ok(());
    }
    match order.payment_status {
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded if total > order.total => {
            Err(OrderError::PaidAlready(order.total))
        }
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded if total < order.total => {
            let back = Money::from_cents(order.total.cents() - total.cents());
            let why = "Commande réduite par le client";
            crate::services::payments::refund_part_in(tx, order, back, why)?;
            Ok(())
        }
        _ if order.status == OrderStatus::AwaitingPayment => Err(OrderError::PaymentInProgress),
        _ => Ok(()),
    }
}

/// The new lines of the order. Products already ordered keep the price they were ordered at; a
/// product added, or ordered in a larger quantity, must still be on the menu.
fn repriced(
    tx: &mut DbConn,
    order: &OrderRow,
    old_lines: &[OrderLine],
    new_lines: &[CartLine],
) -> Result<Vec<OrderLine>, OrderError> {
    let kept: HashMap<ProductId, &OrderLine> =
        old_lines.iter().map(|l| (l.product_id, l)).collect();
    let grown: Vec<CartLine> = new_lines
        .iter()
        .filter(|l| {
            kept.get(&l.product)
                .is_none_or(|k| l.qty as i32 > k.quantity)
        })
        .copied()
        .collect();
    let priced = price_lines(tx, order.pizzeria_id, &grown)?;
    Ok(new_lines
        .iter()
        .map(|l| {
            let base = kept
                .get(&l.product)
                .map(|k| (*k).clone())
                .unwrap_or_else(|| priced[&l.product].clone());
            OrderLine {
                order_id: order.id,
                quantity: l.qty as i32,
                ..base
            }
        })
        .collect())
}

/// Lines at today's menu prices; refuses a product no longer offered.
fn price_lines(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    lines: &[CartLine],
) -> Result<HashMap<ProductId, OrderLine>, OrderError> {
    let ids: Vec<ProductId> = lines.iter().map(|l| l.product).collect();
    let offered: HashMap<ProductId, catalog::Orderable> = catalog::orderable(conn, pizzeria, &ids)?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut priced = HashMap::new();
    for l in lines {
        let Some(o) = offered.get(&l.product) else {
            return Err(match catalog::names(conn, &[l.product])?.pop() {
                Some((_, name)) => OrderError::Unavailable(name),
                None => OrderError::UnknownProduct,
            });
        };
        let line = OrderLine {
            order_id: crate::domain::ids::OrderId(0),
            product_id: o.id,
            product_name: o.name.clone(),
            unit_price: o.price,
            quantity: l.qty as i32,
        };
        priced.insert(l.product, line);
    }
    Ok(priced)
}
