//! A live floor for the demo: a few orders of the first pizzeria at every step of the kitchen
//! and the delivery, entered through the counter's own pipeline, so that each staff screen has
//! something to show and to do.

use crate::db::{write_tx, DbConn};
use crate::domain::cart::CartLine;
use crate::domain::contact::{Address, Contact};
use crate::domain::floor::Hand;
use crate::domain::ids::{OrderId, ProductId};
use crate::domain::order::{Channel, PaymentMethod};
use crate::models::{menu, now, staff};
use crate::services::floor::{self, CounterOrder, FloorError, Member};
use crate::services::tokens;
use chrono::Duration;

/// One demo order: who, what (by menu position), delivery or pickup, when, how paid.
struct DemoOrder {
    name: &'static str,
    phone: &'static str,
    lines: &'static [(usize, u32)],
    street: Option<&'static str>,
    later_minutes: Option<i64>,
    paid_now: Option<Hand>,
    /// How far the kitchen took it: 0 received, 1 started, 2 ready.
    steps: u8,
}

const ORDERS: [DemoOrder; 6] = [
    DemoOrder {
        name: "Camille Petit",
        phone: "06 11 22 33 44",
        lines: &[(0, 2), (1, 1)],
        street: Some("12 rue de la Roquette"),
        later_minutes: None,
        paid_now: None,
        steps: 0,
    },
    DemoOrder {
        name: "Karim Benali",
        phone: "06 22 33 44 55",
        lines: &[(2, 1)],
        street: None,
        later_minutes: None,
        paid_now: Some(Hand::Card),
        steps: 0,
    },
    DemoOrder {
        name: "Julie Martin",
        phone: "06 33 44 55 66",
        lines: &[(1, 2), (3, 1)],
        street: Some("4 rue Amelot"),
        later_minutes: Some(150),
        paid_now: None,
        steps: 0,
    },
    DemoOrder {
        name: "Hugo Leroy",
        phone: "06 44 55 66 77",
        lines: &[(0, 1), (2, 1)],
        street: None,
        later_minutes: None,
        paid_now: None,
        steps: 1,
    },
    DemoOrder {
        name: "Inès Moreau",
        phone: "06 55 66 77 88",
        lines: &[(3, 2)],
        street: Some("30 boulevard Beaumarchais"),
        later_minutes: None,
        paid_now: None,
        steps: 2,
    },
    DemoOrder {
        name: "Théo Garnier",
        phone: "06 66 77 88 99",
        lines: &[(1, 1)],
        street: None,
        later_minutes: None,
        paid_now: None,
        steps: 2,
    },
];

/// Places the demo orders at the first pizzeria, as its counter clerk, then moves them on as
/// its pizzaiolo. Each is a transaction of its own, like a real shift. The past days of every
/// pizzeria come first, in one transaction, for the dashboards.
pub fn seed_orders(conn: &mut DbConn, slug: &str) -> Result<usize, FloorError> {
    let past = write_tx(conn, super::history::seed_history)?;
    tracing::info!(past, "demo history loaded");
    let (counter, cook) = members(conn, slug)?;
    let products: Vec<ProductId> = menu::products(conn, counter.pizzeria)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut placed = 0;
    for demo in &ORDERS {
        let lines = demo
            .lines
            .iter()
            .filter_map(|(at, qty)| {
                products
                    .get(*at)
                    .map(|&product| CartLine { product, qty: *qty })
            })
            .collect();
        let order = CounterOrder {
            lines,
            contact: Contact {
                name: demo.name.into(),
                phone: demo.phone.into(),
                email: String::new(),
            },
            delivery: demo.street.map(|street| Address {
                street: street.into(),
                postal_code: "75011".into(),
                city: "Paris".into(),
                instructions: None,
            }),
            desired_at: demo.later_minutes.map(|m| now() + Duration::minutes(m)),
            channel: if demo.street.is_some() {
                Channel::Phone
            } else {
                Channel::Counter
            },
            payment: match (demo.paid_now, demo.street) {
                (Some(_), _) => PaymentMethod::AtCounter,
                (None, Some(_)) => PaymentMethod::OnDelivery,
                (None, None) => PaymentMethod::AtPickup,
            },
            paid_now: demo.paid_now,
            key: tokens::checkout_key(),
            promised_at: None,
        };
        let (id, _) = floor::place_counter_order(conn, counter, &order)?;
        advance(conn, cook, id, demo.steps)?;
        placed += 1;
    }
    Ok(placed)
}

fn members(conn: &mut DbConn, slug: &str) -> Result<(Member, Member), FloorError> {
    let find = |conn: &mut DbConn, role: &str| -> Result<Member, FloorError> {
        let email = format!("{role}.{slug}@demo.ocpizza.fr");
        staff::member_by_email(conn, &email)?
            .map(|(user, pizzeria)| Member { user, pizzeria })
            .ok_or(FloorError::NotFound)
    };
    Ok((find(conn, "counter")?, find(conn, "pizzaiolo")?))
}

fn advance(conn: &mut DbConn, cook: Member, id: OrderId, steps: u8) -> Result<(), FloorError> {
    if steps >= 1 {
        floor::start(conn, cook, id)?;
    }
    if steps >= 2 {
        floor::ready(conn, cook, id)?;
    }
    Ok(())
}
