//! The time a new order is promised (checkout, counter), from its pizzeria's floor as read a
//! moment ago: an estimate, which a read per order would make dear when orders pour in.

use crate::domain::cart::CartLine;
use crate::domain::floor::{promise_for, Estimate, QueueItem};
use crate::domain::ids::{OrderId, PizzeriaId};
use crate::domain::order::{Fulfilment, OrderStatus};
use crate::models::now;
use crate::state::AppState;
use chrono::NaiveDateTime;
use std::time::Duration;

/// How old the floor behind a promise may be.
pub const RECENT: Duration = Duration::from_secs(2);

/// When these lines would be ready (and delivered), placed now behind the queue; None if the
/// floor cannot be read (the order goes on without a promise).
pub async fn estimate(
    state: &AppState,
    pizzeria: PizzeriaId,
    lines: &[CartLine],
    desired_at: Option<NaiveDateTime>,
    fulfilment: Fulfilment,
) -> Option<Estimate> {
    let floor = state
        .hub
        .floors
        .get_recent(&state.db, pizzeria, RECENT)
        .await
        .map_err(|e| tracing::warn!(error = %e, "no promise: the floor cannot be read"))
        .ok()?;
    let pizzas = lines
        .iter()
        .filter(|l| floor.pizza_products.contains(&l.product))
        .map(|l| i64::from(l.qty))
        .sum();
    let t = now();
    let new = QueueItem {
        id: OrderId(i64::MAX),
        status: OrderStatus::Received,
        fulfilment,
        created_at: t,
        desired_at,
        pizzas,
    };
    Some(promise_for(&floor.pace, &floor.queue(), new, t))
}
