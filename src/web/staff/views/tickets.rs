//! The kitchen's tickets and lanes, its all-day count and its recipe cards, built from the
//! floor as last read and the time now.

use crate::domain::floor::UNDO_SECONDS;
use crate::domain::floor::{self, Age, Estimate, Lane, Pace};
use crate::domain::ids::OrderId;
use crate::domain::order::{Actor, Fulfilment, OrderStatus};
use crate::live::floor_cache::CANCELLED_SHOWN;
use crate::models::catalog::RecipeCard;
use crate::models::floor::{Floor, FloorOrder};
use crate::web::format::french_hour;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use std::collections::HashMap;

fn ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

#[derive(Serialize)]
pub struct RecipeView {
    pub product: i64,
    pub name: String,
    pub count: i64,
    pub ingredients: Vec<(String, String)>,
    pub steps: Vec<String>,
    pub allergens: Vec<&'static str>,
}

pub fn recipe_view(card: &RecipeCard, count: i64) -> RecipeView {
    RecipeView {
        product: card.product.0,
        name: card.name.clone(),
        count: count.max(1),
        ingredients: card
            .ingredients
            .iter()
            .map(|(name, unit, per)| {
                (
                    name.clone(),
                    format!("{} {}", floor::scaled(*per, count), unit.label()),
                )
            })
            .collect(),
        steps: card.steps.clone(),
        allergens: card.allergens.iter().map(|a| a.label()).collect(),
    }
}

#[derive(Serialize)]
pub struct LineView {
    pub name: String,
    pub qty: i32,
    /// Its recipe card loads when the cook opens the line.
    pub product: i64,
}

#[derive(Serialize)]
pub struct TicketView {
    pub id: i64,
    pub number: String,
    pub status: &'static str,
    pub channel: &'static str,
    pub delivery: bool,
    pub fulfilment: &'static str,
    pub customer: String,
    pub wanted: String,
    /// "Payée" (online or at the counter) or what is still to collect.
    pub payment: &'static str,
    /// The age timer counts from here (placed, or entered the queue), in ms since the epoch.
    pub since_ms: i64,
    pub age: &'static str,
    /// When the kitchen must be ready to keep the promise; late after that.
    pub ready_by: String,
    pub ready_by_ms: i64,
    pub late: bool,
    pub enters_at: String,
    pub started_by: Option<String>,
    pub modified: Option<String>,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
    pub undo_until_ms: Option<i64>,
    pub undo_label: Option<&'static str>,
    pub lines: Vec<LineView>,
}

#[derive(Serialize)]
pub struct KitchenView {
    pub all_day: Vec<(String, i64)>,
    pub now: Vec<TicketView>,
    pub later: Vec<TicketView>,
    pub struck: Vec<TicketView>,
    /// Marked ready a moment ago: "Prête" can still be taken back.
    pub done: Vec<TicketView>,
    pub amber_ms: i64,
    pub red_ms: i64,
}

/// The estimates of the floor's queue (RECEIVED and IN_PREPARATION), by order.
pub fn estimates(f: &Floor, now: NaiveDateTime) -> HashMap<OrderId, Estimate> {
    floor::estimates(&f.pace, &f.queue(), now)
        .into_iter()
        .map(|e| (e.id, e))
        .collect()
}

/// When the kitchen must be ready to keep what the customer was promised.
fn ready_by(pace: &Pace, o: &FloorOrder, estimate: Option<&Estimate>) -> NaiveDateTime {
    let delivery = Duration::minutes(pace.delivery_minutes.into());
    match (o.order.promised_at, o.order.fulfilment) {
        (Some(p), Fulfilment::Delivery) => p - delivery,
        (Some(p), Fulfilment::Pickup) => p,
        (None, _) => estimate.map_or(o.order.created_at, |e| e.ready_at),
    }
}

fn wanted(o: &FloorOrder) -> String {
    match o.order.desired_at {
        None => "Dès que possible".into(),
        Some(at) => format!("Pour {}", french_hour(at)),
    }
}

/// The newest modification of the order (its event says what changed).
fn modified(o: &FloorOrder) -> Option<String> {
    o.steps
        .iter()
        .rev()
        .find(|s| s.from == Some(s.to) && s.actor == Actor::Customer)
        .and_then(|s| s.reason.clone())
}

/// The kitchen's last step, if it can still be taken back: until when, and what.
fn undo_of(o: &FloorOrder, now: NaiveDateTime) -> Option<(NaiveDateTime, &'static str)> {
    let last = o.last_step()?;
    let label = match (last.from, last.to) {
        (Some(OrderStatus::Received), OrderStatus::InPreparation) => "Annuler « Commencer »",
        (Some(OrderStatus::InPreparation), OrderStatus::Ready) => "Annuler « Prête »",
        _ => return None,
    };
    let until = last.at + Duration::seconds(UNDO_SECONDS);
    (last.actor == Actor::Staff && last.to == o.order.status && until > now)
        .then_some((until, label))
}

fn ticket(
    o: &FloorOrder,
    pace: &Pace,
    estimate: Option<&Estimate>,
    now: NaiveDateTime,
) -> TicketView {
    let item = o.queue_item();
    let since = pace.enters_at(&item);
    let by = ready_by(pace, o, estimate);
    let undo = undo_of(o, now);
    let cancelled = o.order.status == OrderStatus::Cancelled;
    TicketView {
        id: o.order.id.0,
        number: o.order.number_label(),
        status: o.order.status.as_str(),
        channel: o.order.channel.label(),
        delivery: o.order.fulfilment == Fulfilment::Delivery,
        fulfilment: o.order.fulfilment.label(),
        customer: o.order.customer_name.clone(),
        wanted: wanted(o),
        payment: o.order.payment_status.label(),
        since_ms: ms(since),
        age: Age::of(pace, since, now).as_str(),
        ready_by: french_hour(by),
        ready_by_ms: ms(by),
        late: now > by && !cancelled,
        enters_at: french_hour(since),
        started_by: o
            .steps
            .iter()
            .rev()
            .find(|s| s.to == OrderStatus::InPreparation)
            .filter(|_| o.order.status == OrderStatus::InPreparation)
            .and_then(|s| s.who.clone()),
        modified: modified(o).filter(|_| o.order.status == OrderStatus::Received),
        cancelled,
        cancel_reason: cancelled
            .then(|| o.last_step().and_then(|s| s.reason.clone()))
            .flatten(),
        undo_until_ms: undo.map(|(u, _)| ms(u)),
        undo_label: undo.map(|(_, l)| l),
        lines: o
            .lines
            .iter()
            .map(|l| LineView {
                name: l.name.clone(),
                qty: l.qty,
                product: l.product.0,
            })
            .collect(),
    }
}

/// The kitchen screen: the queue (oldest, or earliest wanted, first), the "plus tard" lane,
/// tickets cancelled a moment ago (struck through), and the all-day count.
pub fn kitchen(f: &Floor, now: NaiveDateTime) -> KitchenView {
    let est = estimates(f, now);
    let mut open: Vec<&FloorOrder> = f
        .orders
        .iter()
        .filter(|o| {
            matches!(
                o.order.status,
                OrderStatus::Received | OrderStatus::InPreparation
            )
        })
        .collect();
    open.sort_by_key(|o| (f.pace.enters_at(&o.queue_item()), o.order.id));
    let (mut now_lane, mut later) = (Vec::new(), Vec::new());
    for o in open {
        let t = ticket(o, &f.pace, est.get(&o.order.id), now);
        match f.pace.lane(&o.queue_item(), now) {
            Lane::Now => now_lane.push((o, t)),
            Lane::Later => later.push(t),
        }
    }
    let all_day = floor::all_day(now_lane.iter().flat_map(|(o, _)| {
        o.lines
            .iter()
            .filter(|l| l.kind == crate::domain::catalog::ProductKind::Pizza)
            .map(|l| (l.name.as_str(), i64::from(l.qty)))
    }));
    let struck = f
        .orders
        .iter()
        .filter(|o| o.order.status == OrderStatus::Cancelled && struck_until(o) > now)
        .map(|o| ticket(o, &f.pace, None, now))
        .collect();
    let done = f
        .orders
        .iter()
        .filter(|o| o.order.status == OrderStatus::Ready && undo_of(o, now).is_some())
        .map(|o| ticket(o, &f.pace, None, now))
        .collect();
    KitchenView {
        done,
        all_day,
        now: now_lane.into_iter().map(|(_, t)| t).collect(),
        later,
        struck,
        amber_ms: i64::from(f.pace.amber_after_minutes) * 60_000,
        red_ms: i64::from(f.pace.red_after_minutes) * 60_000,
    }
}

fn struck_until(o: &FloorOrder) -> NaiveDateTime {
    o.order.updated_at + Duration::seconds(CANCELLED_SHOWN)
}

/// When the kitchen screen changes by itself: a struck ticket leaves, a later order enters
/// the queue, an undo button expires.
pub fn kitchen_wake(f: &Floor, now: NaiveDateTime) -> Option<NaiveDateTime> {
    f.orders
        .iter()
        .filter_map(|o| match o.order.status {
            OrderStatus::Cancelled => Some(struck_until(o)),
            OrderStatus::Received if f.pace.lane(&o.queue_item(), now) == Lane::Later => {
                Some(f.pace.enters_at(&o.queue_item()))
            }
            _ => undo_of(o, now).map(|(u, _)| u),
        })
        .filter(|t| *t > now)
        .min()
}
