//! The order's way as the tracking page shows it: a step tracker (reçue → en préparation →
//! prête → en livraison → livrée, or retirée) with the time of each step reached and the time
//! promised for the next, from the pizzeria's live queue.

use crate::domain::floor::{self, round_up};
use crate::domain::order::{Fulfilment, OrderStatus};
use crate::models::floor::Floor;
use crate::models::order::Tracked;
use crate::web::format::french_hour;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

/// When the order should be ready, and at the door for a delivery.
#[derive(Debug, Clone, Copy, Default)]
pub struct Promise {
    pub ready_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// When the order last reached a status (None if it went back since, or never did).
fn reached(t: &Tracked, status: OrderStatus) -> Option<NaiveDateTime> {
    t.events
        .iter()
        .rev()
        .find(|e| e.to_status == status && e.from_status != Some(status))
        .map(|e| e.created_at)
}

/// The promise as the queue stands now (the floor as last read).
pub fn promise_of(t: &Tracked, floor: Option<&Floor>, now: NaiveDateTime) -> Promise {
    let pace = floor.map(|f| f.pace).unwrap_or_default();
    let run = Duration::minutes(pace.delivery_minutes.into());
    let delivery = t.order.fulfilment == Fulfilment::Delivery;
    match t.order.status {
        OrderStatus::Received | OrderStatus::InPreparation => {
            let queue = floor.map(Floor::queue).unwrap_or_default();
            match floor::estimates(&pace, &queue, now)
                .into_iter()
                .find(|e| e.id == t.order.id)
            {
                Some(e) => Promise {
                    ready_at: Some(e.ready_at),
                    delivered_at: e.delivered_at,
                },
                None => Promise {
                    ready_at: t.order.promised_at.filter(|_| !delivery),
                    delivered_at: t.order.promised_at.filter(|_| delivery),
                },
            }
        }
        OrderStatus::Ready => Promise {
            ready_at: reached(t, OrderStatus::Ready),
            delivered_at: delivery
                .then(|| round_up(now.max(reached(t, OrderStatus::Ready).unwrap_or(now)) + run)),
        },
        OrderStatus::OutForDelivery => Promise {
            ready_at: reached(t, OrderStatus::Ready),
            delivered_at: reached(t, OrderStatus::OutForDelivery)
                .map(|out| round_up((out + run).max(now))),
        },
        _ => Promise::default(),
    }
}

#[derive(Serialize)]
pub struct StepView {
    pub label: &'static str,
    /// done, current or todo.
    pub state: &'static str,
    pub at: Option<String>,
    pub promised: Option<String>,
}

/// The steps of the order's way, the current one marked.
pub fn steps(t: &Tracked, promise: &Promise) -> Vec<StepView> {
    use OrderStatus::*;
    let way: &[(OrderStatus, &str)] = match t.order.fulfilment {
        Fulfilment::Delivery => &[
            (Received, "Reçue"),
            (InPreparation, "En préparation"),
            (Ready, "Prête"),
            (OutForDelivery, "En livraison"),
            (Delivered, "Livrée"),
        ],
        Fulfilment::Pickup => &[
            (Received, "Reçue"),
            (InPreparation, "En préparation"),
            (Ready, "Prête"),
            (PickedUp, "Retirée"),
        ],
    };
    let current = way.iter().position(|(s, _)| *s == t.order.status);
    way.iter()
        .enumerate()
        .map(|(i, (status, label))| {
            let state = match current {
                Some(c) if i < c => "done",
                Some(c) if i == c => "current",
                _ => "todo",
            };
            let next = current.is_some_and(|c| i == c + 1);
            let promised = match status {
                Ready if next => promise.ready_at,
                Delivered if next || current.is_some_and(|c| i == c + 2) => promise.delivered_at,
                _ => None,
            };
            StepView {
                label,
                state,
                at: (state != "todo")
                    .then(|| reached(t, *status).map(french_hour))
                    .flatten(),
                promised: promised.map(|p| format!("vers {}", french_hour(p))),
            }
        })
        .collect()
}

/// The one line a customer looks for: "Prête vers 19:40", "Livrée vers 19:55".
pub fn headline(t: &Tracked, promise: &Promise) -> Option<String> {
    if t.order.status.is_terminal() || t.order.status == OrderStatus::AwaitingPayment {
        return None;
    }
    match (t.order.fulfilment, promise.delivered_at, promise.ready_at) {
        (Fulfilment::Delivery, Some(at), _) => Some(format!("Livrée vers {}", french_hour(at))),
        (Fulfilment::Pickup, _, Some(at)) if t.order.status == OrderStatus::Ready => Some(format!(
            "Prête depuis {} : à retirer à la pizzeria",
            french_hour(at)
        )),
        (Fulfilment::Pickup, _, Some(at)) => Some(format!("Prête vers {}", french_hour(at))),
        _ => None,
    }
}
