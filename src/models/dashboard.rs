//! What the dashboards read: a day's orders with the times of their steps and their lines, for
//! one pizzeria or for the whole group; the sales lines of a range of days for the accountant.
//! Three queries a day, each on the `(pizzeria_id, service_date)` or `service_date` index.

use crate::db::schema::{order_events, order_lines, orders, pizzerias};
use crate::db::DbConn;
use crate::domain::dashboard::{DayLine, DayOrder};
use crate::domain::ids::{OrderId, PizzeriaId};
use crate::domain::money::Money;
use crate::domain::order::{Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::sales::SaleLine;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// A day's orders (each with its pizzeria) and their lines.
#[derive(Debug, Default)]
pub struct Day {
    pub orders: Vec<(PizzeriaId, DayOrder)>,
    pub lines: Vec<DayLine>,
}

type OrderCols = (
    OrderId,
    PizzeriaId,
    OrderStatus,
    PaymentStatus,
    Fulfilment,
    Money,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

type Steps = HashMap<OrderId, [Option<NaiveDateTime>; 3]>;

/// The orders of `day` (the pizzeria's Paris day) at `pizzeria`, or at every pizzeria.
pub fn day(conn: &mut DbConn, pizzeria: Option<PizzeriaId>, day: NaiveDate) -> QueryResult<Day> {
    let rows = order_rows(conn, pizzeria, day)?;
    let mut steps = step_times(conn, pizzeria, day)?;
    let lines = line_rows(conn, pizzeria, day)?;
    let orders = rows
        .into_iter()
        .map(
            |(id, p, status, payment_status, fulfilment, total, placed, promised)| {
                let [started, ready, done] = steps.remove(&id).unwrap_or_default();
                // A step undone (back to RECEIVED, say) no longer counts.
                let rank = step_rank(status);
                let order = DayOrder {
                    id,
                    status,
                    payment_status,
                    fulfilment,
                    total,
                    placed_at: placed,
                    promised_at: promised,
                    started_at: started.filter(|_| rank >= 1),
                    ready_at: ready.filter(|_| rank >= 2),
                    done_at: done.filter(|_| rank >= 3),
                };
                (p, order)
            },
        )
        .collect();
    Ok(Day { orders, lines })
}

fn order_rows(
    conn: &mut DbConn,
    pizzeria: Option<PizzeriaId>,
    day: NaiveDate,
) -> QueryResult<Vec<OrderCols>> {
    let mut q = orders::table
        .filter(orders::service_date.eq(day))
        .into_boxed();
    if let Some(p) = pizzeria {
        q = q.filter(orders::pizzeria_id.eq(p));
    }
    q.order(orders::id.asc())
        .select((
            orders::id,
            orders::pizzeria_id,
            orders::status,
            orders::payment_status,
            orders::fulfilment,
            orders::total_cents,
            orders::created_at,
            orders::promised_at,
        ))
        .load(conn)
}

/// The last time each order of the day was started, ready, and delivered or picked up.
fn step_times(
    conn: &mut DbConn,
    pizzeria: Option<PizzeriaId>,
    day: NaiveDate,
) -> QueryResult<Steps> {
    let mut q = order_events::table
        .inner_join(orders::table)
        .filter(orders::service_date.eq(day))
        .filter(order_events::to_status.eq_any([
            OrderStatus::InPreparation,
            OrderStatus::Ready,
            OrderStatus::Delivered,
            OrderStatus::PickedUp,
        ]))
        .into_boxed();
    if let Some(p) = pizzeria {
        q = q.filter(orders::pizzeria_id.eq(p));
    }
    let events: Vec<(OrderId, OrderStatus, NaiveDateTime)> = q
        .order(order_events::id.asc())
        .select((
            order_events::order_id,
            order_events::to_status,
            order_events::created_at,
        ))
        .load(conn)?;
    let mut steps = Steps::new();
    for (order, to, at) in events {
        let slot = match to {
            OrderStatus::InPreparation => 0,
            OrderStatus::Ready => 1,
            _ => 2,
        };
        steps.entry(order).or_default()[slot] = Some(at);
    }
    Ok(steps)
}

fn line_rows(
    conn: &mut DbConn,
    pizzeria: Option<PizzeriaId>,
    day: NaiveDate,
) -> QueryResult<Vec<DayLine>> {
    let mut q = order_lines::table
        .inner_join(orders::table)
        .filter(orders::service_date.eq(day))
        .into_boxed();
    if let Some(p) = pizzeria {
        q = q.filter(orders::pizzeria_id.eq(p));
    }
    let lines: Vec<(OrderId, String, i32, Money)> = q
        .select((
            order_lines::order_id,
            order_lines::product_name,
            order_lines::quantity,
            order_lines::unit_price_cents,
        ))
        .load(conn)?;
    let lines = lines
        .into_iter()
        .map(|(order, product, quantity, unit_price)| DayLine {
            order,
            product,
            quantity: i64::from(quantity),
            unit_price,
        })
        .collect();
    Ok(lines)
}

/// How far along the kitchen and the delivery an order is (a cancelled one keeps its steps).
fn step_rank(status: OrderStatus) -> u8 {
    match status {
        OrderStatus::AwaitingPayment | OrderStatus::Received => 0,
        OrderStatus::InPreparation => 1,
        OrderStatus::Ready | OrderStatus::OutForDelivery => 2,
        OrderStatus::Delivered | OrderStatus::PickedUp | OrderStatus::Cancelled => 3,
    }
}

/// Every line sold from `from` to `to` (both included) at every pizzeria: cancelled orders,
/// unpaid online ones and refunded ones left out.
pub fn sale_lines(conn: &mut DbConn, from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<SaleLine>> {
    let rows: Vec<(Option<NaiveDate>, String, String, PaymentMethod, i32, Money)> =
        order_lines::table
            .inner_join(orders::table.inner_join(pizzerias::table))
            .filter(orders::service_date.ge(from))
            .filter(orders::service_date.le(to))
            .filter(orders::status.ne_all([OrderStatus::Cancelled, OrderStatus::AwaitingPayment]))
            .filter(orders::payment_status.ne(PaymentStatus::Refunded))
            .select((
                orders::service_date,
                pizzerias::name,
                order_lines::product_name,
                orders::payment_method,
                order_lines::quantity,
                order_lines::unit_price_cents,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, pizzeria, product, method, quantity, unit_price)| {
            Some(SaleLine {
                day: day?,
                pizzeria,
                product,
                method,
                quantity: i64::from(quantity),
                unit_price,
            })
        })
        .collect())
}
