//! The pizzeria floor, pure: the kitchen's pace, the queue of open orders (which enter now,
//! which wait in the "plus tard" lane), the times promised to customers, the all-day count and
//! the age of a ticket.

mod handover;
mod undo;

pub use handover::*;
pub use undo::*;

use super::ids::OrderId;
use super::order::{Fulfilment, OrderStatus};
use chrono::{Duration, DurationRound, NaiveDateTime};

/// A pizzeria's pace, set by its manager (sensible defaults for a new pizzeria).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pace {
    pub minutes_per_pizza: i32,
    pub ovens: i32,
    pub delivery_minutes: i32,
    pub later_lead_minutes: i32,
    pub amber_after_minutes: i32,
    pub red_after_minutes: i32,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            minutes_per_pizza: 6,
            ovens: 2,
            delivery_minutes: 20,
            later_lead_minutes: 30,
            amber_after_minutes: 10,
            red_after_minutes: 20,
        }
    }
}

/// An open order as the queue sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueItem {
    pub id: OrderId,
    pub status: OrderStatus,
    pub fulfilment: Fulfilment,
    pub created_at: NaiveDateTime,
    /// None: as soon as possible.
    pub desired_at: Option<NaiveDateTime>,
    pub pizzas: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Lane {
    /// On the kitchen's queue.
    Now,
    /// Wanted later: shown apart until it enters the queue.
    Later,
}

impl Pace {
    /// When the kitchen should be ready with an order wanted at a slot.
    fn ready_target(&self, item: &QueueItem) -> Option<NaiveDateTime> {
        item.desired_at.map(|at| match item.fulfilment {
            Fulfilment::Delivery => at - Duration::minutes(self.delivery_minutes.into()),
            Fulfilment::Pickup => at,
        })
    }

    /// When an order enters the kitchen's queue: at once for "as soon as possible", else some
    /// minutes before the kitchen should be ready with it.
    pub fn enters_at(&self, item: &QueueItem) -> NaiveDateTime {
        match self.ready_target(item) {
            Some(ready) => {
                (ready - Duration::minutes(self.later_lead_minutes.into())).max(item.created_at)
            }
            None => item.created_at,
        }
    }

    pub fn lane(&self, item: &QueueItem, now: NaiveDateTime) -> Lane {
        // Once started, an order is on the queue whatever its slot.
        if item.status == OrderStatus::Received && self.enters_at(item) > now {
            Lane::Later
        } else {
            Lane::Now
        }
    }
}

/// What the queue says of one order: its lane, and when it should be ready and (for a
/// delivery) at the customer's door, rounded up to five minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub id: OrderId,
    pub lane: Lane,
    pub ready_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

impl Estimate {
    /// The time the customer is told: delivered for a delivery, ready for a pickup.
    pub fn promised(&self) -> NaiveDateTime {
        self.delivered_at.unwrap_or(self.ready_at)
    }
}

/// Rounds up to the next five minutes (a promise people can read: 19:40, not 19:37).
pub fn round_up(t: NaiveDateTime) -> NaiveDateTime {
    let step = Duration::minutes(5);
    match t.duration_trunc(step) {
        Ok(down) if down == t => t,
        Ok(down) => down + step,
        Err(_) => t,
    }
}

/// Orders the open orders (RECEIVED and IN_PREPARATION) as the kitchen takes them: by the time
/// they enter the queue (placed, or their slot's lead), then by id.
pub fn queue_order(pace: &Pace, items: &mut [QueueItem]) {
    items.sort_by_key(|i| (pace.enters_at(i), i.id));
}

/// The estimates of every open order: the ovens bake `ovens` pizzas each `minutes_per_pizza`,
/// in queue order; an order for a slot is not ready before the kitchen aims for it.
pub fn estimates(pace: &Pace, items: &[QueueItem], now: NaiveDateTime) -> Vec<Estimate> {
    let mut items = items.to_vec();
    queue_order(pace, &mut items);
    let ovens = i64::from(pace.ovens.max(1));
    let per = i64::from(pace.minutes_per_pizza.max(1));
    let mut ahead = 0i64;
    items
        .iter()
        .map(|item| {
            ahead += item.pizzas.max(1);
            let baked = now + Duration::minutes((ahead + ovens - 1) / ovens * per);
            let ready = match pace.ready_target(item) {
                Some(target) => baked.max(target),
                None => baked,
            };
            let ready_at = round_up(ready);
            Estimate {
                id: item.id,
                lane: pace.lane(item, now),
                ready_at,
                delivered_at: (item.fulfilment == Fulfilment::Delivery)
                    .then(|| ready_at + Duration::minutes(pace.delivery_minutes.into())),
            }
        })
        .collect()
}

/// The promise for a new order placed now behind the open ones.
pub fn promise_for(
    pace: &Pace,
    open: &[QueueItem],
    new: QueueItem,
    now: NaiveDateTime,
) -> Estimate {
    let mut all = open.to_vec();
    all.push(new);
    estimates(pace, &all, now)
        .into_iter()
        .find(|e| e.id == new.id)
        .expect("the new order is among the estimates")
}

/// How a ticket's age reads on the kitchen screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    Fresh,
    Amber,
    Red,
}

impl Age {
    pub fn of(pace: &Pace, since: NaiveDateTime, now: NaiveDateTime) -> Age {
        let minutes = (now - since).num_minutes();
        if minutes >= i64::from(pace.red_after_minutes) {
            Age::Red
        } else if minutes >= i64::from(pace.amber_after_minutes) {
            Age::Amber
        } else {
            Age::Fresh
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Age::Fresh => "fresh",
            Age::Amber => "amber",
            Age::Red => "red",
        }
    }
}

/// The all-day count: how many of each pizza the tickets still need, most first, then by name.
pub fn all_day<'a>(lines: impl IntoIterator<Item = (&'a str, i64)>) -> Vec<(String, i64)> {
    let mut sums: std::collections::BTreeMap<&str, i64> = Default::default();
    for (name, qty) in lines {
        *sums.entry(name).or_insert(0) += qty;
    }
    let mut all: Vec<(String, i64)> = sums
        .into_iter()
        .filter(|(_, q)| *q > 0)
        .map(|(n, q)| (n.to_string(), q))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all
}

/// A recipe quantity for `count` pizzas, as the card shows it ("240 g").
pub fn scaled(per_unit: i64, count: i64) -> i64 {
    per_unit.saturating_mul(count.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn item(id: i64, created: NaiveDateTime, pizzas: i64) -> QueueItem {
        QueueItem {
            id: OrderId(id),
            status: OrderStatus::Received,
            fulfilment: Fulfilment::Pickup,
            created_at: created,
            desired_at: None,
            pizzas,
        }
    }

    #[test]
    fn the_queue_bakes_two_pizzas_at_a_time() {
        let pace = Pace::default(); // 6 min a pizza, 2 ovens
        let now = at(19, 0);
        let open = [item(1, at(18, 50), 3), item(2, at(18, 55), 1)];
        let e = estimates(&pace, &open, now);
        // 3 pizzas: 2 rounds of 6 minutes; then the 4th pizza: still 2 rounds.
        assert_eq!(e[0].ready_at, at(19, 15));
        assert_eq!(e[1].ready_at, at(19, 15));
        let new = QueueItem {
            fulfilment: Fulfilment::Delivery,
            ..item(3, now, 2)
        };
        let p = promise_for(&pace, &open, new, now);
        // 6 pizzas: 3 rounds = 18 min → 19:18 → 19:20; delivered 20 min later.
        assert_eq!(p.ready_at, at(19, 20));
        assert_eq!(p.delivered_at, Some(at(19, 40)));
        assert_eq!(p.promised(), at(19, 40));
    }

    #[test]
    fn a_later_order_waits_in_its_lane_then_enters_before_its_time() {
        let pace = Pace::default(); // delivery 20 min, enters 30 min before ready
        let later = QueueItem {
            fulfilment: Fulfilment::Delivery,
            desired_at: Some(at(21, 0)),
            ..item(1, at(18, 0), 2)
        };
        assert_eq!(pace.enters_at(&later), at(20, 10));
        assert_eq!(pace.lane(&later, at(20, 9)), Lane::Later);
        assert_eq!(pace.lane(&later, at(20, 10)), Lane::Now);
        // It is promised for its slot, not sooner.
        let e = estimates(&pace, &[later], at(19, 0));
        assert_eq!(e[0].ready_at, at(20, 40));
        assert_eq!(e[0].delivered_at, Some(at(21, 0)));
        // An order that came in earlier but is wanted later goes after one wanted now.
        let mut q = [later, item(2, at(20, 15), 1)];
        queue_order(&pace, &mut q);
        assert_eq!(q[0].id, OrderId(1));
        let mut q = [later, item(2, at(19, 0), 1)];
        queue_order(&pace, &mut q);
        assert_eq!(q[0].id, OrderId(2));
    }

    #[test]
    fn a_started_order_stays_on_the_queue() {
        let pace = Pace::default();
        let started = QueueItem {
            status: OrderStatus::InPreparation,
            desired_at: Some(at(23, 0)),
            ..item(1, at(18, 0), 1)
        };
        assert_eq!(pace.lane(&started, at(19, 0)), Lane::Now);
    }

    #[test]
    fn promises_round_up_to_five_minutes() {
        assert_eq!(round_up(at(19, 37)), at(19, 40));
        assert_eq!(round_up(at(19, 40)), at(19, 40));
        assert_eq!(round_up(at(19, 40) + Duration::seconds(1)), at(19, 45));
    }

    #[test]
    fn tickets_turn_amber_then_red() {
        let pace = Pace::default();
        assert_eq!(Age::of(&pace, at(19, 0), at(19, 9)), Age::Fresh);
        assert_eq!(Age::of(&pace, at(19, 0), at(19, 10)), Age::Amber);
        assert_eq!(Age::of(&pace, at(19, 0), at(19, 20)), Age::Red);
    }

    #[test]
    fn the_all_day_count_sums_each_pizza_most_first() {
        let count = all_day([
            ("Reine", 1),
            ("Margherita", 3),
            ("Reine", 1),
            ("Calzone", 2),
        ]);
        assert_eq!(
            count,
            vec![
                ("Margherita".to_string(), 3),
                ("Calzone".to_string(), 2),
                ("Reine".to_string(), 2)
            ]
        );
    }
}
