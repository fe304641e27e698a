//! Diesel structs and queries, one file per aggregate. Queries of pizzeria data take the
//! pizzeria first. Writes are named for what they do (`insert_…`, `delete_…`, `set_…`,
//! `save_…`, `touch…`, `record…`, `enqueue`, `try_…`): the layer check keeps them out of `web`.

pub mod account_token;
pub mod catalog;
pub mod catalog_admin;
pub mod census;
pub mod customer;
pub mod dashboard;
pub mod floor;
pub mod idempotency;
pub mod login_attempt;
pub mod menu;
pub mod menu_change;
pub mod online_payment;
pub mod order;
pub mod order_number;
pub mod outbox;
pub mod payment;
pub mod payment_approval;
pub mod pizzeria;
pub mod pizzeria_admin;
pub mod session;
pub mod staff;
pub mod stock;
pub mod stock_view;
pub mod user;

use chrono::{NaiveDateTime, Timelike, Utc};

/// Now, in UTC, at the microsecond precision both backends store.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}
