//! Stock levels and the append-only ledger. Every change is one conditional UPDATE whose
//! affected-row count says whether it was allowed, plus one ledger row: never read-then-write.

use super::now;
use crate::db::schema::{stock_levels, stock_movements};
use crate::db::DbConn;
use crate::domain::ids::{IngredientId, OrderId, PizzeriaId, UserId};
use crate::domain::stock::MovementReason;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Level {
    pub on_hand: i64,
    pub reserved: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = stock_levels)]
pub struct NewLevel {
    pub pizzeria_id: i64,
    pub ingredient_id: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_threshold: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = stock_movements)]
struct NewMovement<'a> {
    pizzeria_id: i64,
    ingredient_id: i64,
    reason: &'a str,
    delta_on_hand: i64,
    delta_reserved: i64,
    order_id: Option<i64>,
    user_id: Option<i64>,
    note: Option<&'a str>,
    created_at: NaiveDateTime,
}

/// Who and what a movement is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub order: Option<OrderId>,
    pub user: Option<UserId>,
    pub note: Option<&'a str>,
}

pub fn level(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    ingredient: IngredientId,
) -> QueryResult<Option<Level>> {
    stock_levels::table
        .filter(stock_levels::pizzeria_id.eq(pizzeria.0))
        .filter(stock_levels::ingredient_id.eq(ingredient.0))
        .select((stock_levels::on_hand, stock_levels::reserved))
        .first(conn)
        .optional()
}

pub fn insert_level(conn: &mut DbConn, new: &NewLevel) -> QueryResult<()> {
    diesel::insert_into(stock_levels::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

pub fn record(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    ingredient: IngredientId,
    reason: MovementReason,
    (delta_on_hand, delta_reserved): (i64, i64),
    ctx: Context<'_>,
) -> QueryResult<()> {
    let row = NewMovement {
        pizzeria_id: pizzeria.0,
        ingredient_id: ingredient.0,
        reason: reason.as_str(),
        delta_on_hand,
        delta_reserved,
        order_id: ctx.order.map(|o| o.0),
        user_id: ctx.user.map(|u| u.0),
        note: ctx.note,
        created_at: now(),
    };
    diesel::insert_into(stock_movements::table)
        .values(&row)
        .execute(conn)
        .map(drop)
}

macro_rules! item {
    ($pizzeria:expr, $ingredient:expr) => {
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq($pizzeria.0))
            .filter(stock_levels::ingredient_id.eq($ingredient.0))
    };
}

/// reserved += qty, only if on_hand - reserved >= qty. Returns whether it happened.
pub fn try_reserve(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    qty: i64,
) -> QueryResult<bool> {
    diesel::update(item!(p, i).filter((stock_levels::on_hand - stock_levels::reserved).ge(qty)))
        .set((
            stock_levels::reserved.eq(stock_levels::reserved + qty),
            stock_levels::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// reserved -= qty, only if that much is reserved.
pub fn try_release(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    qty: i64,
) -> QueryResult<bool> {
    diesel::update(item!(p, i).filter(stock_levels::reserved.ge(qty)))
        .set((
            stock_levels::reserved.eq(stock_levels::reserved - qty),
            stock_levels::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// on_hand -= qty and reserved -= qty: a reservation becomes a pizza.
pub fn try_consume(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    qty: i64,
) -> QueryResult<bool> {
    diesel::update(
        item!(p, i)
            .filter(stock_levels::reserved.ge(qty))
            .filter(stock_levels::on_hand.ge(qty)),
    )
    .set((
        stock_levels::on_hand.eq(stock_levels::on_hand - qty),
        stock_levels::reserved.eq(stock_levels::reserved - qty),
        stock_levels::updated_at.eq(now()),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// on_hand += delta, only if the result still covers what is reserved for orders.
pub fn try_shift_on_hand(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    delta: i64,
) -> QueryResult<bool> {
    diesel::update(item!(p, i).filter((stock_levels::on_hand + delta).ge(stock_levels::reserved)))
        .set((
            stock_levels::on_hand.eq(stock_levels::on_hand + delta),
            stock_levels::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// on_hand := counted, only if on_hand is still `seen` (no other change slipped in between).
pub fn try_set_on_hand(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    seen: i64,
    counted: i64,
) -> QueryResult<bool> {
    diesel::update(
        item!(p, i)
            .filter(stock_levels::on_hand.eq(seen))
            .filter(stock_levels::reserved.le(counted)),
    )
    .set((
        stock_levels::on_hand.eq(counted),
        stock_levels::updated_at.eq(now()),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Sum of the ledger of one item: must always equal its level.
pub fn ledger_sum(conn: &mut DbConn, p: PizzeriaId, i: IngredientId) -> QueryResult<Level> {
    let rows: Vec<(i64, i64)> = stock_movements::table
        .filter(stock_movements::pizzeria_id.eq(p.0))
        .filter(stock_movements::ingredient_id.eq(i.0))
        .select((
            stock_movements::delta_on_hand,
            stock_movements::delta_reserved,
        ))
        .load(conn)?;
    Ok(rows.into_iter().fold(
        Level {
            on_hand: 0,
            reserved: 0,
        },
        |acc, (h, r)| Level {
            on_hand: acc.on_hand + h,
            reserved: acc.reserved + r,
        },
    ))
}

/// Newest ledger id (0 when empty): where a live tailer starts.
pub fn last_movement_id(conn: &mut DbConn) -> QueryResult<i64> {
    use diesel::dsl::max;
    stock_movements::table
        .select(max(stock_movements::id))
        .first::<Option<i64>>(conn)
        .map(|v| v.unwrap_or(0))
}

/// Ledger rows above `high` or among `gaps` (ids skipped earlier), oldest first: (id, pizzeria).
pub fn movements_since(
    conn: &mut DbConn,
    high: i64,
    gaps: &[i64],
    limit: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    stock_movements::table
        .filter(
            stock_movements::id
                .gt(high)
                .or(stock_movements::id.eq_any(gaps)),
        )
        .order(stock_movements::id.asc())
        .limit(limit)
        .select((stock_movements::id, stock_movements::pizzeria_id))
        .load(conn)
}
