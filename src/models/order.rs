//! Orders, their lines (name and price snapshots) and their append-only event log.

use super::pizzeria::Pizzeria;
use crate::db::schema::{order_events, order_lines, orders, stock_movements};
use crate::db::{last_insert_id, read_snapshot, DbConn};
use crate::domain::ids::{IngredientId, OrderId, PizzeriaId, ProductId, UserId};
use crate::domain::money::Money;
use crate::domain::order::{Actor, Channel, Fulfilment, OrderStatus, PaymentMethod, PaymentStatus};
use crate::domain::token::OrderToken;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: OrderId,
    pub pizzeria_id: PizzeriaId,
    pub token: OrderToken,
    pub user_id: Option<UserId>,
    pub channel: Channel,
    pub fulfilment: Fulfilment,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub payment_method: PaymentMethod,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_email: String,
    pub delivery_street: Option<String>,
    pub delivery_postal_code: Option<String>,
    pub delivery_city: Option<String>,
    pub delivery_instructions: Option<String>,
    pub desired_at: Option<NaiveDateTime>,
    #[diesel(column_name = total_cents)]
    pub total: Money,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The pizzeria's day (Paris) the order belongs to, and its number that day.
    pub service_date: Option<NaiveDate>,
    pub number: Option<i32>,
    /// What the customer was promised (ready for a pickup, delivered for a delivery).
    pub promised_at: Option<NaiveDateTime>,
    /// The driver who took it out.
    pub driver_id: Option<UserId>,
    /// Why its last delivery failed, until the manager sends it out again.
    pub delivery_problem: Option<String>,
}

impl OrderRow {
    /// "#042", as staff and customers say it.
    pub fn number_label(&self) -> String {
        crate::domain::order::number_label(self.number)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder<'a> {
    pub pizzeria_id: PizzeriaId,
    pub token: &'a OrderToken,
    pub user_id: Option<UserId>,
    pub channel: Channel,
    pub fulfilment: Fulfilment,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub payment_method: PaymentMethod,
    pub customer_name: &'a str,
    pub customer_phone: &'a str,
    pub customer_email: &'a str,
    pub delivery_street: Option<&'a str>,
    pub delivery_postal_code: Option<&'a str>,
    pub delivery_city: Option<&'a str>,
    pub delivery_instructions: Option<&'a str>,
    pub desired_at: Option<NaiveDateTime>,
    #[diesel(column_name = total_cents)]
    pub total: Money,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub service_date: Option<NaiveDate>,
    pub promised_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = order_lines)]
pub struct OrderLine {
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub product_name: String,
    #[diesel(column_name = unit_price_cents)]
    pub unit_price: Money,
    pub quantity: i32,
}

impl OrderLine {
    pub fn subtotal(&self) -> Money {
        self.unit_price * i64::from(self.quantity)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events)]
pub struct OrderEventRow {
    pub id: i64,
    pub order_id: OrderId,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_kind: Actor,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_events)]
pub struct NewOrderEvent<'a> {
    pub order_id: OrderId,
    pub pizzeria_id: PizzeriaId,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_kind: Actor,
    pub actor_user_id: Option<UserId>,
    pub reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn by_token(conn: &mut DbConn, token: &OrderToken) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::token.eq(token))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConn, id: OrderId) -> QueryResult<Option<OrderRow>> {
    orders::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// An order of this pizzeria, never another's.
pub fn of_pizzeria(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    id: OrderId,
) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::pizzeria_id.eq(pizzeria))
        .filter(orders::id.eq(id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn lines(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<OrderLine>> {
    order_lines::table
        .filter(order_lines::order_id.eq(order))
        .order(order_lines::id.asc())
        .select(OrderLine::as_select())
        .load(conn)
}

pub fn events(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<OrderEventRow>> {
    order_events::table
        .filter(order_events::order_id.eq(order))
        .order(order_events::id.asc())
        .select(OrderEventRow::as_select())
        .load(conn)
}

/// A customer's orders, newest first.
pub fn of_user(conn: &mut DbConn, user: UserId, limit: i64) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::user_id.eq(user))
        .order(orders::id.desc())
        .limit(limit)
        .select(OrderRow::as_select())
        .load(conn)
}

/// A customer's past order as their history shows it.
#[derive(Debug, Clone)]
pub struct PastOrder {
    pub order: OrderRow,
    pub lines: Vec<OrderLine>,
    pub pizzeria: String,
}

/// A customer's orders, newest first, with their lines and pizzeria: three queries.
pub fn history_of(conn: &mut DbConn, user: UserId, limit: i64) -> QueryResult<Vec<PastOrder>> {
    use crate::db::schema::pizzerias;
    let orders = of_user(conn, user, limit)?;
    let ids: Vec<OrderId> = orders.iter().map(|o| o.id).collect();
    let mut lines: std::collections::HashMap<OrderId, Vec<OrderLine>> = Default::default();
    let all: Vec<OrderLine> = order_lines::table
        .filter(order_lines::order_id.eq_any(&ids))
        .order(order_lines::id.asc())
        .select(OrderLine::as_select())
        .load(conn)?;
    for line in all {
        lines.entry(line.order_id).or_default().push(line);
    }
    let pizzeria_ids: Vec<PizzeriaId> = orders.iter().map(|o| o.pizzeria_id).collect();
    let names: std::collections::HashMap<PizzeriaId, String> = pizzerias::table
        .filter(pizzerias::id.eq_any(&pizzeria_ids))
        .select((pizzerias::id, pizzerias::name))
        .load::<(PizzeriaId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(orders
        .into_iter()
        .map(|order| PastOrder {
            lines: lines.remove(&order.id).unwrap_or_default(),
            pizzeria: names.get(&order.pizzeria_id).cloned().unwrap_or_default(),
            order,
        })
        .collect())
}

/// Whether the customer has an order the pizzeria still has to prepare or bring.
pub fn has_open_order(conn: &mut DbConn, user: UserId) -> QueryResult<bool> {
    let done = [
        OrderStatus::Delivered,
        OrderStatus::PickedUp,
        OrderStatus::Cancelled,
    ];
    diesel::select(diesel::dsl::exists(
        orders::table
            .filter(orders::user_id.eq(user))
            .filter(orders::status.ne_all(done)),
    ))
    .get_result(conn)
}

/// The orders of a deleted account keep their lines and totals, not the person: no name,
/// phone, e-mail or address, and no link to the account.
pub fn set_anonymous_of_user(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    use crate::domain::account::DELETED_CUSTOMER;
    diesel::update(orders::table.filter(orders::user_id.eq(user)))
        .set((
            orders::customer_name.eq(DELETED_CUSTOMER),
            orders::customer_phone.eq(""),
            orders::customer_email.eq(""),
            orders::delivery_street.eq(None::<String>),
            orders::delivery_postal_code.eq(None::<String>),
            orders::delivery_city.eq(None::<String>),
            orders::delivery_instructions.eq(None::<String>),
            orders::user_id.eq(None::<UserId>),
        ))
        .execute(conn)
}

/// What the tracking page shows of an order.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub order: OrderRow,
    pub lines: Vec<OrderLine>,
    pub events: Vec<OrderEventRow>,
    pub pizzeria: Option<Pizzeria>,
}

impl Tracked {
    /// The newest event the page shows (0 before any).
    pub fn newest_event(&self) -> i64 {
        self.events.last().map_or(0, |e| e.id)
    }
}

/// The order, its lines and its events as of one moment: the status and the timeline always
/// agree (a status change committing between two reads must not show a started order with its
/// cancel button).
pub fn tracked(conn: &mut DbConn, token: &OrderToken) -> QueryResult<Option<Tracked>> {
    read_snapshot(conn, |c| {
        let Some(order) = by_token(c, token)? else {
            return Ok(None);
        };
        Ok(Some(Tracked {
            lines: lines(c, order.id)?,
            events: events(c, order.id)?,
            pizzeria: Pizzeria::find(c, order.pizzeria_id)?,
            order,
        }))
    })
}

pub fn insert(conn: &mut DbConn, row: &NewOrder<'_>) -> QueryResult<OrderId> {
    diesel::insert_into(orders::table)
        .values(row)
        .execute(conn)?;
    last_insert_id(conn).map(OrderId)
}

/// Gives the order its number of the day.
pub fn set_number(conn: &mut DbConn, id: OrderId, number: i32) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::number.eq(number))
        .execute(conn)
        .map(drop)
}

pub fn insert_lines(conn: &mut DbConn, rows: &[OrderLine]) -> QueryResult<()> {
    for line in rows {
        diesel::insert_into(order_lines::table)
            .values(line)
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete_lines(conn: &mut DbConn, order: OrderId) -> QueryResult<usize> {
    diesel::delete(order_lines::table.filter(order_lines::order_id.eq(order))).execute(conn)
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
    diesel::update(orders::table.find(id).filter(orders::status.eq_any(from)))
        .set((orders::status.eq(to), orders::updated_at.eq(at)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Claims an order for a change that keeps its status (a modification), if still in `from`.
pub fn touch_if(
    conn: &mut DbConn,
    id: OrderId,
    from: &[OrderStatus],
    total: Money,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(orders::table.find(id).filter(orders::status.eq_any(from)))
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
    let rows: Vec<(IngredientId, i64)> = stock_movements::table
        .filter(stock_movements::order_id.eq(order))
        .select((
            stock_movements::ingredient_id,
            stock_movements::delta_reserved,
        ))
        .load(conn)?;
    let mut sums = std::collections::BTreeMap::new();
    for (ingredient, delta) in rows {
        *sums.entry(ingredient).or_insert(0) += delta;
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

/// Order events above `high` or among `gaps` (ids skipped earlier), oldest first:
/// (event id, (order, its pizzeria)).
pub fn events_since(
    conn: &mut DbConn,
    high: i64,
    gaps: &[i64],
    limit: i64,
) -> QueryResult<Vec<(i64, (OrderId, PizzeriaId))>> {
    let rows: Vec<(i64, OrderId, PizzeriaId)> = order_events::table
        .filter(order_events::id.gt(high).or(order_events::id.eq_any(gaps)))
        .order(order_events::id.asc())
        .limit(limit)
        .select((
            order_events::id,
            order_events::order_id,
            order_events::pizzeria_id,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, o, p)| (id, (o, p))).collect())
}
