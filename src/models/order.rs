//! Orders, their lines (name and price snapshots) and their append-only event log.

use crate::db::schema::{order_events, order_lines, orders, stock_movements};
use crate::db::DbConn;
use crate::domain::ids::{IngredientId, OrderId, UserId};
use crate::domain::order::OrderStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: i64,
    pub pizzeria_id: i64,
    pub token: String,
    pub user_id: Option<i64>,
    pub channel: String,
    pub fulfilment: String,
    pub status: String,
    pub payment_status: String,
    pub payment_method: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_email: String,
    pub delivery_street: Option<String>,
    pub delivery_postal_code: Option<String>,
    pub delivery_city: Option<String>,
    pub delivery_instructions: Option<String>,
    pub desired_at: Option<NaiveDateTime>,
    pub total_cents: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OrderRow {
    pub fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.status).unwrap_or(OrderStatus::Cancelled)
    }

    pub fn oid(&self) -> OrderId {
        OrderId(self.id)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder<'a> {
    pub pizzeria_id: i64,
    pub token: &'a str,
    pub user_id: Option<i64>,
    pub channel: &'a str,
    pub fulfilment: &'a str,
    pub status: &'a str,
    pub payment_status: &'a str,
    pub payment_method: &'a str,
    pub customer_name: &'a str,
    pub customer_phone: &'a str,
    pub customer_email: &'a str,
    pub delivery_street: Option<&'a str>,
    pub delivery_postal_code: Option<&'a str>,
    pub delivery_city: Option<&'a str>,
    pub delivery_instructions: Option<&'a str>,
    pub desired_at: Option<NaiveDateTime>,
    pub total_cents: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = order_lines)]
pub struct OrderLine {
    pub order_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub unit_price_cents: i64,
    pub quantity: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events)]
pub struct OrderEventRow {
    pub id: i64,
    pub order_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_kind: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_events)]
pub struct NewOrderEvent<'a> {
    pub order_id: i64,
    pub pizzeria_id: i64,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub actor_kind: &'a str,
    pub actor_user_id: Option<i64>,
    pub reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn by_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::token.eq(token))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, id: OrderId) -> QueryResult<Option<OrderRow>> {
    orders::table
        .find(id.0)
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn lines(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<OrderLine>> {
    order_lines::table
        .filter(order_lines::order_id.eq(order.0))
        .order(order_lines::id.asc())
        .select(OrderLine::as_select())
        .load(conn)
}

pub fn events(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<OrderEventRow>> {
    order_events::table
        .filter(order_events::order_id.eq(order.0))
        .order(order_events::id.asc())
        .select(OrderEventRow::as_select())
        .load(conn)
}

/// A customer's orders, newest first.
pub fn of_user(conn: &mut DbConn, user: UserId, limit: i64) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::user_id.eq(user.0))
        .order(orders::id.desc())
        .limit(limit)
        .select(OrderRow::as_select())
        .load(conn)
}

/// Moves an order to `to` only if it is still in one of `from`: the row count says whether
/// this request won against a concurrent change (the kitchen starting, another tab).
pub fn set_status_if(
    conn: &mut DbConn,
    id: OrderId,
    from: &[OrderStatus],
    to: OrderStatus,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    diesel::update(orders::table.find(id.0).filter(orders::status.eq_any(from)))
        .set((orders::status.eq(to.as_str()), orders::updated_at.eq(at)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Claims an order for a change that keeps its status (a modification), if still in `from`.
pub fn touch_if(
    conn: &mut DbConn,
    id: OrderId,
    from: &[OrderStatus],
    total: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    diesel::update(orders::table.find(id.0).filter(orders::status.eq_any(from)))
        .set((orders::total_cents.eq(total), orders::updated_at.eq(at)))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn insert_event(conn: &mut DbConn, e: &NewOrderEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values(e)
        .execute(conn)
        .map(drop)
}

/// What the ledger says is still reserved for an order, per ingredient.
pub fn reserved_for(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<(IngredientId, i64)>> {
    let rows: Vec<(i64, i64)> = stock_movements::table
        .filter(stock_movements::order_id.eq(order.0))
        .select((
            stock_movements::ingredient_id,
            stock_movements::delta_reserved,
        ))
        .load(conn)?;
    let mut sums = std::collections::BTreeMap::new();
    for (ingredient, delta) in rows {
        *sums.entry(IngredientId(ingredient)).or_insert(0) += delta;
    }
    Ok(sums.into_iter().filter(|(_, q)| *q > 0).collect())
}

pub fn last_event_id(conn: &mut DbConn) -> QueryResult<i64> {
    use diesel::dsl::max;
    order_events::table
        .select(max(order_events::id))
        .first::<Option<i64>>(conn)
        .map(|v| v.unwrap_or(0))
}

/// Order events above `high` or among `gaps` (ids skipped earlier), oldest first: (id, order).
pub fn events_since(
    conn: &mut DbConn,
    high: i64,
    gaps: &[i64],
    limit: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    order_events::table
        .filter(order_events::id.gt(high).or(order_events::id.eq_any(gaps)))
        .order(order_events::id.asc())
        .limit(limit)
        .select((order_events::id, order_events::order_id))
        .load(conn)
}
