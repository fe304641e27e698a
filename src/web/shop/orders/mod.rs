//! The tracking page of an order (no login: its unguessable token is the key), live by SSE;
//! modify or cancel it while the kitchen has not started.

mod edit;
mod steps;
mod track;

use crate::domain::order::{Actor, Fulfilment, OrderStatus};
use crate::domain::token::{InvalidToken, OrderToken};
use crate::models::order::{self as rows, Tracked};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::format::{french_hour, french_time};
use rocket::serde::Serialize;
use rocket::Route;

pub fn routes() -> Vec<Route> {
    let mut all = track::routes();
    all.extend(edit::routes());
    all
}

fn not_found() -> AppError {
    AppError::NotFound("Cette commande est introuvable. Vérifiez le lien reçu par e-mail.".into())
}

/// The order of a tracking link, as of one moment.
async fn tracked_order(
    state: &AppState,
    token: Result<OrderToken, InvalidToken>,
) -> AppResult<Tracked> {
    let token = token.map_err(|_| not_found())?;
    state
        .db
        .run(move |c| rows::tracked(c, &token))
        .await??
        .ok_or_else(not_found)
}

/// The floor of the order's pizzeria as last read, while the order is on its way (its
/// promise comes from the queue).
async fn floor_for(
    state: &AppState,
    t: &Tracked,
) -> Option<std::sync::Arc<crate::models::floor::Floor>> {
    if t.order.status.is_terminal() {
        return None;
    }
    state
        .hub
        .floors
        .get(&state.db, t.order.pizzeria_id)
        .await
        .ok()
}

/// Why the customer can no longer change an order, from what it has become.
fn too_late(now: OrderStatus) -> AppError {
    let why = match now {
        OrderStatus::Cancelled => "Cette commande est annulée : elle ne peut plus être modifiée.",
        s if s.is_terminal() => "Cette commande est terminée : elle ne peut plus être modifiée ni annulée.",
        _ => "La préparation a commencé : la commande ne peut plus être modifiée ni annulée en ligne. Appelez la pizzeria si besoin.",
    };
    AppError::Conflict(why.into())
}

/// The same, after a service refused: the order changed meanwhile, read what it is now.
async fn too_late_now(state: &AppState, token: &OrderToken) -> AppError {
    match tracked_order(state, Ok(token.clone())).await {
        Ok(tracked) => too_late(tracked.order.status),
        Err(e) => e,
    }
}

#[derive(Serialize)]
struct StatusView {
    token: String,
    status: &'static str,
    label: &'static str,
    may_change: bool,
    /// Its payment: `PAID`, `PENDING`… and how a customer reads it.
    payment: &'static str,
    payment_label: &'static str,
    /// Paid online (by a provider), not by hand.
    online: bool,
    /// "Livrée vers 19:55", from the pizzeria's live queue.
    headline: Option<String>,
    steps: Vec<steps::StepView>,
    timeline: Vec<Step>,
}

#[derive(Serialize)]
struct Step {
    label: String,
    at: String,
    reason: Option<String>,
}

fn status_view(t: &Tracked, floor: Option<&crate::models::floor::Floor>) -> StatusView {
    let status = t.order.status;
    let promise = steps::promise_of(t, floor, crate::models::now());
    StatusView {
        headline: steps::headline(t, &promise),
        steps: steps::steps(t, &promise),
        token: t.order.token.to_string(),
        status: status.as_str(),
        label: status.label(),
        may_change: status.customer_may_change(),
        payment: t.order.payment_status.as_str(),
        payment_label: t.order.payment_status.label(),
        online: t.order.payment_method.is_online(),
        timeline: t
            .events
            .iter()
            // A step of the pizzeria that keeps the status (a delivery sent out again) is not
            // the customer's news; a modification is.
            .filter(|e| {
                e.from_status != Some(e.to_status)
                    || e.to_status.customer_may_change()
                    || e.actor_kind == Actor::Provider
            })
            .map(|e| {
                let kept = e.from_status == Some(e.to_status);
                let label = match (kept, e.actor_kind) {
                    // A payment's news (confirmed, refunded) keeps the status: it reads as such.
                    (true, Actor::Provider) => e.reason.clone().unwrap_or_default(),
                    // A modification keeps the status: it reads as what happened, once.
                    (true, _) => "Commande modifiée".to_string(),
                    _ => e.to_status.label().to_string(),
                };
                Step {
                    label,
                    at: french_time(e.created_at),
                    reason: e.reason.clone().filter(|_| !kept),
                }
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct LineView {
    name: String,
    qty: i32,
    unit: String,
    subtotal: String,
}

#[derive(Serialize)]
struct OrderView {
    token: String,
    /// "#042": the number of the day, never the global id.
    number: String,
    pizzeria: String,
    pizzeria_phone: String,
    placed_at: String,
    delivery: bool,
    address: Option<String>,
    instructions: Option<String>,
    when: String,
    payment: &'static str,
    payment_status: &'static str,
    total: String,
    lines: Vec<LineView>,
}

fn order_view(t: &Tracked) -> OrderView {
    let o = &t.order;
    let delivery = o.fulfilment == Fulfilment::Delivery;
    let (pizzeria, pizzeria_phone) = t
        .pizzeria
        .as_ref()
        .map(|p| (p.name.clone(), p.phone.clone()))
        .unwrap_or_default();
    OrderView {
        token: o.token.to_string(),
        number: o.number_label(),
        pizzeria,
        pizzeria_phone,
        placed_at: french_time(o.created_at),
        delivery,
        address: delivery.then(|| {
            format!(
                "{}, {} {}",
                o.delivery_street.as_deref().unwrap_or_default(),
                o.delivery_postal_code.as_deref().unwrap_or_default(),
                o.delivery_city.as_deref().unwrap_or_default()
            )
        }),
        instructions: o.delivery_instructions.clone(),
        when: o.desired_at.map_or_else(
            || "Dès que possible".to_string(),
            |at| format!("Vers {}", french_hour(at)),
        ),
        payment: o.payment_method.label(),
        payment_status: o.payment_status.label(),
        total: o.total.to_string(),
        lines: t
            .lines
            .iter()
            .map(|x| LineView {
                name: x.product_name.clone(),
                qty: x.quantity,
                unit: x.unit_price.to_string(),
                subtotal: x.subtotal().to_string(),
            })
            .collect(),
    }
}
