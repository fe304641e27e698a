//! Payments taken by hand (cash, card) at the door or the counter, and a driver's day.

use crate::db::schema::{orders, payments};
use crate::db::DbConn;
use crate::domain::ids::{OrderId, PizzeriaId, UserId};
use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A payment taken by hand: cash or card, at the door or the counter.
#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub struct NewCollection<'a> {
    pub order_id: OrderId,
    pub provider: &'a str,
    #[diesel(column_name = amount_cents)]
    pub amount: Money,
    pub status: &'a str,
    pub idempotency_key: &'a str,
    pub recorded_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert_collection(conn: &mut DbConn, row: &NewCollection<'_>) -> QueryResult<()> {
    diesel::insert_into(payments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A driver's day: their delivered orders, and what they collected by hand (cash, card).
#[derive(Debug, Clone, Default)]
pub struct Shift {
    pub delivered: Vec<(String, Option<i32>, NaiveDateTime)>,
    pub collected: Vec<(String, Money)>,
}

pub fn shift(
    conn: &mut DbConn,
    p: PizzeriaId,
    driver: UserId,
    day: NaiveDate,
    since: NaiveDateTime,
) -> QueryResult<Shift> {
    let delivered: Vec<(String, Option<i32>, NaiveDateTime)> = orders::table
        .filter(orders::pizzeria_id.eq(p))
        .filter(orders::driver_id.eq(driver))
        .filter(orders::status.eq(OrderStatus::Delivered))
        .filter(orders::service_date.eq(day))
        .order(orders::updated_at.asc())
        .select((orders::customer_name, orders::number, orders::updated_at))
        .load(conn)?;
    let collected: Vec<(String, Money)> = payments::table
        .inner_join(orders::table)
        .filter(orders::pizzeria_id.eq(p))
        .filter(payments::recorded_by.eq(driver))
        .filter(payments::created_at.ge(since))
        .filter(payments::provider.eq_any(["cash", "card"]))
        .select((payments::provider, payments::amount_cents))
        .load(conn)?;
    Ok(Shift {
        delivered,
        collected,
    })
}
