//! Stock levels and the append-only ledger. Every change is a conditional UPDATE whose
//! affected-row count says whether it was allowed, plus its ledger rows: never read-then-write.

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
    pub pizzeria_id: PizzeriaId,
    pub ingredient_id: IngredientId,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_threshold: i64,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = stock_movements)]
struct NewMovement<'a> {
    pizzeria_id: PizzeriaId,
    ingredient_id: IngredientId,
    reason: MovementReason,
    delta_on_hand: i64,
    delta_reserved: i64,
    order_id: Option<OrderId>,
    user_id: Option<UserId>,
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
        .filter(stock_levels::pizzeria_id.eq(pizzeria))
        .filter(stock_levels::ingredient_id.eq(ingredient))
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
        pizzeria_id: pizzeria,
        ingredient_id: ingredient,
        reason,
        delta_on_hand,
        delta_reserved,
        order_id: ctx.order,
        user_id: ctx.user,
        note: ctx.note,
        created_at: now(),
    };
    diesel::insert_into(stock_movements::table)
        .values(&row)
        .execute(conn)
        .map(drop)
}

/// Several ledger rows in one INSERT (one round trip instead of one per ingredient). Batch
/// inserts are not shared by the two backends, hence the match.
pub fn record_many(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    reason: MovementReason,
    deltas: &[(IngredientId, (i64, i64))],
    ctx: Context<'_>,
) -> QueryResult<()> {
    let at = now();
    let rows: Vec<NewMovement<'_>> = deltas
        .iter()
        .map(
            |(ingredient, (delta_on_hand, delta_reserved))| NewMovement {
                pizzeria_id: pizzeria,
                ingredient_id: *ingredient,
                reason,
                delta_on_hand: *delta_on_hand,
                delta_reserved: *delta_reserved,
                order_id: ctx.order,
                user_id: ctx.user,
                note: ctx.note,
                created_at: at,
            },
        )
        .collect();
    let insert = diesel::insert_into(stock_movements::table);
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => insert.values(&rows).execute(c),
        DbConn::Sqlite(c) => insert.values(&rows).execute(c),
    }
    .map(drop)
}

/// A change applied to several stock rows of one pizzeria by a single conditional UPDATE.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// reserved += qty where on_hand - reserved >= qty.
    Reserve,
    /// reserved -= qty where reserved >= qty.
    Release,
    /// on_hand -= qty and reserved -= qty where both cover qty: a reservation becomes a pizza.
    Consume,
    /// on_hand += qty and reserved += qty: a consumption taken back (the kitchen's undo).
    Restore,
}

impl Change {
    fn sql(self, case: &str) -> String {
        let (set, condition) = match self {
            Change::Reserve => (
                format!("reserved = reserved + {case}"),
                format!("on_hand - reserved >= {case}"),
            ),
            Change::Release => (
                format!("reserved = reserved - {case}"),
                format!("reserved >= {case}"),
            ),
            Change::Consume => (
                format!("on_hand = on_hand - {case}, reserved = reserved - {case}"),
                format!("reserved >= {case} AND on_hand >= {case}"),
            ),
            Change::Restore => (
                format!("on_hand = on_hand + {case}, reserved = reserved + {case}"),
                format!("{case} > 0"),
            ),
        };
        format!("UPDATE stock_levels SET {set}, updated_at = ? WHERE {condition} AND pizzeria_id = ? AND ingredient_id IN ")
    }

    /// How many `CASE` expressions the statement holds (each one binds every quantity again).
    fn cases(self) -> usize {
        match self {
            Change::Reserve | Change::Release => 2,
            Change::Consume => 4,
            Change::Restore => 3,
        }
    }
}

/// Applies `change` to every (ingredient, qty) in one statement, the rows being locked in index
/// order. Returns how many rows it changed: fewer than `needs.len()` means one was refused, and
/// the caller's transaction must roll back.
pub fn try_change_all(
    conn: &mut DbConn,
    p: PizzeriaId,
    change: Change,
    needs: &[(IngredientId, i64)],
) -> QueryResult<usize> {
    use diesel::sql_types::{BigInt, Timestamp};
    let case = format!(
        "(CASE ingredient_id {} END)",
        "WHEN ? THEN ? ".repeat(needs.len())
    );
    let sql = format!(
        "{}({})",
        change.sql(&case),
        vec!["?"; needs.len()].join(", ")
    );
    let at = now();
    macro_rules! run {
        ($c:expr, $db:ty) => {{
            let mut q = diesel::sql_query(&sql).into_boxed::<$db>();
            // Binds in the order of the `?`: the CASEs of SET, updated_at, the CASEs of WHERE,
            // the pizzeria, then the ids.
            let set_cases = match change {
                Change::Consume | Change::Restore => 2,
                _ => 1,
            };
            for case in 0..change.cases() {
                if case == set_cases {
                    q = q.bind::<Timestamp, _>(at);
                }
                for (i, qty) in needs {
                    q = q.bind::<BigInt, _>(*i).bind::<BigInt, _>(*qty);
                }
            }
            q = q.bind::<BigInt, _>(p);
            for (i, _) in needs {
                q = q.bind::<BigInt, _>(*i);
            }
            q.execute($c)
        }};
    }
    match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => run!(c, diesel::mysql::Mysql),
        DbConn::Sqlite(c) => run!(c, diesel::sqlite::Sqlite),
    }
}

/// The levels of some ingredients of a pizzeria (to tell which one refused a change).
pub fn levels(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredients: &[IngredientId],
) -> QueryResult<Vec<(IngredientId, Level)>> {
    let rows: Vec<(IngredientId, i64, i64)> = stock_levels::table
        .filter(stock_levels::pizzeria_id.eq(p))
        .filter(stock_levels::ingredient_id.eq_any(ingredients))
        .select((
            stock_levels::ingredient_id,
            stock_levels::on_hand,
            stock_levels::reserved,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(i, on_hand, reserved)| (i, Level { on_hand, reserved }))
        .collect())
}

/// What is on hand and not reserved, for some ingredients of a pizzeria (none: absent).
pub fn available(
    conn: &mut DbConn,
    p: PizzeriaId,
    ingredients: &[IngredientId],
) -> QueryResult<std::collections::HashMap<IngredientId, i64>> {
    Ok(levels(conn, p, ingredients)?
        .into_iter()
        .map(|(i, l)| (i, l.on_hand - l.reserved))
        .collect())
}

macro_rules! item {
    ($pizzeria:expr, $ingredient:expr) => {
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq($pizzeria))
            .filter(stock_levels::ingredient_id.eq($ingredient))
    };
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
        .filter(stock_movements::pizzeria_id.eq(p))
        .filter(stock_movements::ingredient_id.eq(i))
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
) -> QueryResult<Vec<(i64, PizzeriaId)>> {
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
