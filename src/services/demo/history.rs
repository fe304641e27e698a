//! Past days for the demo's dashboards: at every pizzeria, the orders of the last eight days
//! and of today's hours gone by, served and paid, at a lunch and dinner rhythm, with every step
//! in the order's events. They are history only: the stock ledger starts with the demo's
//! stock, so these orders do not move it. Reproducible: the same data at every load.

use super::Dice;
use crate::db::DbConn;
use crate::domain::hours::paris;
use crate::domain::ids::{OrderId, PizzeriaId, UserId};
use crate::domain::money::Money;
use crate::domain::order::{Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::models::order::{self, NewOrder, NewOrderEvent, OrderLine};
use crate::models::{menu, now, order_number, pizzeria::Pizzeria};
use crate::services::tokens;
use chrono::{Datelike, Duration, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;
use diesel::result::Error as DieselError;

/// Orders of an ordinary weekday at each Paris hour, from 11h.
const RHYTHM: [(u32, u32); 10] = [
    (11, 1),
    (12, 5),
    (13, 4),
    (14, 1),
    (17, 1),
    (18, 3),
    (19, 6),
    (20, 7),
    (21, 4),
    (22, 2),
];

const NAMES: [&str; 8] = [
    "Alice Dubois",
    "Bruno Lefèvre",
    "Chloé Girard",
    "David Roux",
    "Emma Fontaine",
    "Farid Haddad",
    "Gaëlle Morel",
    "Hélène Caron",
];

/// Inserts the history of every pizzeria; returns how many orders it holds.
pub fn seed_history(conn: &mut DbConn) -> Result<usize, DieselError> {
    let now = now();
    let today = paris(now.and_utc()).date();
    let mut dice = Dice(2026);
    let mut placed = 0;
    for (rank, p) in Pizzeria::list_active(conn)?.into_iter().enumerate() {
        let menu = menu::products(conn, p.id)?;
        if menu.is_empty() {
            continue;
        }
        let mut rows = Rows::default();
        for back in (0..=8).rev() {
            let day = today - Duration::days(back);
            let busy = match day.weekday().num_days_from_monday() {
                4 | 5 => 3,
                6 => 1,
                _ => 2,
            };
            for (hour, base) in RHYTHM {
                let count = (base * busy + rank as u32 % 3) / 2 + dice.roll(2) as u32;
                for _ in 0..count {
                    let minute = dice.roll(60) as u32;
                    let Some(local) = day.and_hms_opt(hour, minute, 0) else {
                        continue;
                    };
                    let Some(at) = Paris.from_local_datetime(&local).earliest() else {
                        continue;
                    };
                    let placed_at = at.naive_utc();
                    // Today's history stops two hours ago: later orders are the live floor's.
                    if placed_at > now - Duration::hours(2) {
                        continue;
                    }
                    let lines: Vec<(usize, i32)> = (0..=dice.roll(3))
                        .map(|_| {
                            (
                                dice.roll(menu.len() as u64) as usize,
                                1 + dice.roll(2) as i32,
                            )
                        })
                        .collect();
                    past_order(conn, p.id, &menu, &lines, placed_at, &mut dice, &mut rows)?;
                    placed += 1;
                }
            }
        }
        order::insert_lines(conn, &rows.lines)?;
        for e in &rows.events {
            order::insert_event(conn, e)?;
        }
    }
    Ok(placed)
}

/// The lines and events of a pizzeria's history, inserted together.
#[derive(Default)]
struct Rows {
    lines: Vec<OrderLine>,
    events: Vec<NewOrderEvent<'static>>,
    /// The last number given on each past day (today's come from the day's counter, which the
    /// live floor goes on with).
    numbers: std::collections::HashMap<chrono::NaiveDate, i32>,
}

/// How one past order went: delivered or picked up (or cancelled), paid how, and when each
/// step happened.
struct Story {
    delivery: bool,
    cancelled: bool,
    method: PaymentMethod,
    placed: NaiveDateTime,
    started: NaiveDateTime,
    ready: NaiveDateTime,
    out: NaiveDateTime,
    done: NaiveDateTime,
}

impl Story {
    fn roll(dice: &mut Dice, placed: NaiveDateTime) -> Story {
        let delivery = dice.roll(5) < 3;
        let cancelled = dice.roll(30) == 0;
        let method = match (dice.roll(4), delivery) {
            (0, _) => PaymentMethod::Stripe,
            (1, false) => PaymentMethod::AtCounter,
            (_, true) => PaymentMethod::OnDelivery,
            (_, false) => PaymentMethod::AtPickup,
        };
        let minutes = |m: u64| Duration::minutes(m as i64);
        let started = placed + minutes(3 + dice.roll(10));
        let ready = started + minutes(10 + dice.roll(8));
        let out = ready + minutes(2 + dice.roll(5));
        let done = if delivery {
            out + minutes(8 + dice.roll(20))
        } else {
            ready + minutes(3 + dice.roll(25))
        };
        Story {
            delivery,
            cancelled,
            method,
            placed,
            started,
            ready,
            out,
            done,
        }
    }

    fn status(&self) -> (OrderStatus, PaymentStatus) {
        match (self.cancelled, self.delivery) {
            (true, _) => (OrderStatus::Cancelled, PaymentStatus::Unpaid),
            (false, true) => (OrderStatus::Delivered, PaymentStatus::Paid),
            (false, false) => (OrderStatus::PickedUp, PaymentStatus::Paid),
        }
    }

    fn steps(&self) -> Vec<(OrderStatus, NaiveDateTime)> {
        let mut steps = vec![(OrderStatus::Received, self.placed)];
        if self.cancelled {
            steps.push((OrderStatus::Cancelled, self.started));
            return steps;
        }
        steps.push((OrderStatus::InPreparation, self.started));
        steps.push((OrderStatus::Ready, self.ready));
        if self.delivery {
            steps.push((OrderStatus::OutForDelivery, self.out));
            steps.push((OrderStatus::Delivered, self.done));
        } else {
            steps.push((OrderStatus::PickedUp, self.done));
        }
        steps
    }
}

impl Story {
    fn events(&self, id: OrderId, p: PizzeriaId) -> Vec<NewOrderEvent<'static>> {
        let mut from = None;
        let mut events = Vec::new();
        for (to, at) in self.steps() {
            events.push(NewOrderEvent {
                order_id: id,
                pizzeria_id: p,
                from_status: from,
                to_status: to,
                actor_kind: if from.is_none() {
                    Actor::Customer
                } else {
                    Actor::Staff
                },
                actor_user_id: None::<UserId>,
                reason: (to == OrderStatus::Cancelled).then_some("Client injoignable"),
                created_at: at,
            });
            from = Some(to);
        }
        events
    }
}

fn lines_of(id: OrderId, menu: &[menu::MenuProduct], picks: &[(usize, i32)]) -> Vec<OrderLine> {
    let mut merged: Vec<OrderLine> = Vec::new();
    for &(at, q) in picks {
        let product = &menu[at];
        match merged.iter_mut().find(|l| l.product_id == product.id) {
            Some(l) => l.quantity += q,
            None => merged.push(OrderLine {
                order_id: id,
                product_id: product.id,
                product_name: product.name.clone(),
                unit_price: product.price,
                quantity: q,
            }),
        }
    }
    merged
}

fn past_order(
    conn: &mut DbConn,
    p: PizzeriaId,
    menu: &[menu::MenuProduct],
    picks: &[(usize, i32)],
    placed_at: NaiveDateTime,
    dice: &mut Dice,
    rows: &mut Rows,
) -> Result<(), DieselError> {
    let story = Story::roll(dice, placed_at);
    let delivery = story.delivery;
    let total: Money = picks
        .iter()
        .map(|&(at, q)| menu[at].price * i64::from(q))
        .sum();
    let name = NAMES[dice.roll(NAMES.len() as u64) as usize];
    let token = tokens::order_token();
    let day = paris(placed_at.and_utc()).date();
    let (status, payment_status) = story.status();
    let row = NewOrder {
        pizzeria_id: p,
        token: &token,
        user_id: None,
        channel: match dice.roll(10) {
            0..=5 => Channel::Web,
            6..=8 => Channel::Phone,
            _ => Channel::Counter,
        },
        fulfilment: if delivery {
            Fulfilment::Delivery
        } else {
            Fulfilment::Pickup
        },
        status,
        payment_status,
        payment_method: story.method,
        customer_name: name,
        customer_phone: "06 00 00 00 00",
        customer_email: "",
        delivery_street: delivery.then_some("1 rue de la Demo"),
        delivery_postal_code: delivery.then_some("75011"),
        delivery_city: delivery.then_some("Paris"),
        delivery_instructions: None,
        desired_at: None,
        total,
        created_at: placed_at,
        updated_at: story.steps().last().map_or(placed_at, |s| s.1),
        service_date: Some(day),
        promised_at: Some(placed_at + Duration::minutes(if delivery { 45 } else { 25 })),
    };
    let id = order::insert(conn, &row)?;
    let number = if day == paris(now().and_utc()).date() {
        order_number::next(conn, p, day)?
    } else {
        let last = rows.numbers.entry(day).or_insert(0);
        *last += 1;
        *last
    };
    order::set_number(conn, id, number)?;
    rows.lines.extend(lines_of(id, menu, picks));
    rows.events.extend(story.events(id, p));
    Ok(())
}
