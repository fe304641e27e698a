//! What the manager's stock pages read: every ingredient with its level, the consumption of the
//! last days, the recipes of the pizzeria's products, one ingredient's ledger with its running
//! balance; and the low-stock marks of the alerts (one per crossing).

use super::now;
use crate::db::schema::{
    ingredients, menu_items, orders, products, recipe_lines, stock_levels, stock_movements, users,
};
use crate::db::DbConn;
use crate::domain::ids::{IngredientId, OrderId, PizzeriaId, ProductId};
use crate::domain::stock::{MovementReason, Unit};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// An ingredient of the group and its level at one pizzeria (0 when it never had any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngredientLevel {
    pub id: IngredientId,
    pub name: String,
    pub unit: Unit,
    pub on_hand: i64,
    pub reserved: i64,
    pub threshold: i64,
}

impl IngredientLevel {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

type LevelRow = (
    IngredientId,
    String,
    Unit,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every ingredient of the group, by name, with its level at `p`.
pub fn levels(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<IngredientLevel>> {
    let rows: Vec<LevelRow> = ingredients::table
        .left_join(
            stock_levels::table.on(stock_levels::ingredient_id
                .eq(ingredients::id)
                .and(stock_levels::pizzeria_id.eq(p))),
        )
        .order(ingredients::name.asc())
        .select((
            ingredients::id,
            ingredients::name,
            ingredients::unit,
            stock_levels::on_hand.nullable(),
            stock_levels::reserved.nullable(),
            stock_levels::low_threshold.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, unit, h, r, t)| IngredientLevel {
            id,
            name,
            unit,
            on_hand: h.unwrap_or(0),
            reserved: r.unwrap_or(0),
            threshold: t.unwrap_or(0),
        })
        .collect())
}

/// What each ingredient's pizzas used since `since` (consumptions less the kitchen's undos).
pub fn consumed_since(
    conn: &mut DbConn,
    p: PizzeriaId,
    since: NaiveDateTime,
) -> QueryResult<HashMap<IngredientId, i64>> {
    let rows: Vec<(IngredientId, i64)> = stock_movements::table
        .filter(stock_movements::pizzeria_id.eq(p))
        .filter(stock_movements::reason.eq(MovementReason::Consume))
        .filter(stock_movements::created_at.ge(since))
        .select((
            stock_movements::ingredient_id,
            stock_movements::delta_on_hand,
        ))
        .load(conn)?;
    let mut used: HashMap<IngredientId, i64> = HashMap::new();
    for (i, delta) in rows {
        *used.entry(i).or_insert(0) -= delta;
    }
    Ok(used)
}

/// A product of the group as the manager's menu switches see it at `p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRecipe {
    pub id: ProductId,
    pub name: String,
    /// Switched on at this pizzeria.
    pub enabled: bool,
    /// (ingredient, quantity per product).
    pub lines: Vec<(IngredientId, i64)>,
}

/// Every active product of the group with its switch at `p` and its recipe.
pub fn product_recipes(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<ProductRecipe>> {
    let heads: Vec<(ProductId, String, Option<bool>)> = products::table
        .left_join(
            menu_items::table.on(menu_items::product_id
                .eq(products::id)
                .and(menu_items::pizzeria_id.eq(p))),
        )
        .filter(products::active.eq(true))
        .order((
            products::kind.asc(),
            products::position.asc(),
            products::name.asc(),
        ))
        .select((products::id, products::name, menu_items::enabled.nullable()))
        .load(conn)?;
    let lines: Vec<(ProductId, IngredientId, i64)> = recipe_lines::table
        .select((
            recipe_lines::product_id,
            recipe_lines::ingredient_id,
            recipe_lines::quantity,
        ))
        .load(conn)?;
    let mut by_product: HashMap<ProductId, Vec<(IngredientId, i64)>> = HashMap::new();
    for (product, ingredient, qty) in lines {
        by_product
            .entry(product)
            .or_default()
            .push((ingredient, qty));
    }
    Ok(heads
        .into_iter()
        .map(|(id, name, enabled)| ProductRecipe {
            lines: by_product.remove(&id).unwrap_or_default(),
            id,
            name,
            enabled: enabled.unwrap_or(false),
        })
        .collect())
}

/// One row of an ingredient's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Movement {
    pub id: i64,
    pub reason: MovementReason,
    pub delta_on_hand: i64,
    pub delta_reserved: i64,
    pub order: Option<OrderId>,
    pub order_number: Option<i32>,
    pub note: Option<String>,
    pub by: Option<String>,
    pub at: NaiveDateTime,
}

/// Up to `limit` rows of an ingredient's ledger at `p`, newest first, older than `before`.
pub fn movements(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Movement>> {
    let mut q = stock_movements::table
        .left_join(users::table)
        .left_join(orders::table)
        .filter(stock_movements::pizzeria_id.eq(p))
        .filter(stock_movements::ingredient_id.eq(i))
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(stock_movements::id.lt(before));
    }
    q.order(stock_movements::id.desc())
        .limit(limit)
        .select((
            stock_movements::id,
            stock_movements::reason,
            stock_movements::delta_on_hand,
            stock_movements::delta_reserved,
            stock_movements::order_id,
            orders::number.nullable(),
            stock_movements::note,
            users::full_name.nullable(),
            stock_movements::created_at,
        ))
        .load(conn)
}

#[derive(QueryableByName)]
struct Sums {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    on_hand: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    reserved: i64,
}

/// The ledger's balance (on hand, reserved) of an ingredient up to and including row `upto`.
pub fn balance_upto(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    upto: i64,
) -> QueryResult<(i64, i64)> {
    use diesel::sql_types::BigInt;
    // MySQL sums integers as decimals: cast back (SQLite sums them as integers).
    let (open, close) = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => ("CAST(", " AS SIGNED)"),
        DbConn::Sqlite(_) => ("(", ")"),
    };
    let sql = format!(
        "SELECT {open}COALESCE(SUM(delta_on_hand), 0){close} AS on_hand, \
         {open}COALESCE(SUM(delta_reserved), 0){close} AS reserved \
         FROM stock_movements WHERE pizzeria_id = ? AND ingredient_id = ? AND id <= ?"
    );
    macro_rules! run {
        ($c:expr) => {
            diesel::sql_query(&sql)
                .bind::<BigInt, _>(p)
                .bind::<BigInt, _>(i)
                .bind::<BigInt, _>(upto)
                .get_result::<Sums>($c)
        };
    }
    let sums = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(c) => run!(c),
        DbConn::Sqlite(c) => run!(c),
    }?;
    Ok((sums.on_hand, sums.reserved))
}

/// Ingredients of `p` at or below their threshold whose crossing was not alerted yet.
pub fn unalerted_low(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<Vec<IngredientLevel>> {
    let rows: Vec<(IngredientId, String, Unit, i64, i64, i64)> = stock_levels::table
        .inner_join(ingredients::table)
        .filter(stock_levels::pizzeria_id.eq(p))
        .filter(stock_levels::low_since.is_null())
        .filter(stock_levels::low_threshold.gt(0))
        .filter((stock_levels::on_hand - stock_levels::reserved).le(stock_levels::low_threshold))
        .order(ingredients::name.asc())
        .select((
            ingredients::id,
            ingredients::name,
            ingredients::unit,
            stock_levels::on_hand,
            stock_levels::reserved,
            stock_levels::low_threshold,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, unit, on_hand, reserved, threshold)| IngredientLevel {
                id,
                name,
                unit,
                on_hand,
                reserved,
                threshold,
            },
        )
        .collect())
}

/// Marks the crossing of one ingredient as alerted, unless another process just did.
pub fn try_mark_low(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq(p))
            .filter(stock_levels::ingredient_id.eq(i))
            .filter(stock_levels::low_since.is_null()),
    )
    .set(stock_levels::low_since.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

macro_rules! recovered {
    ($p:expr) => {
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq($p))
            .filter(stock_levels::low_since.is_not_null())
            .filter(
                (stock_levels::on_hand - stock_levels::reserved).gt(stock_levels::low_threshold),
            )
    };
}

/// Whether an alerted ingredient of `p` is back above its threshold.
pub fn any_recovered(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(recovered!(p))).get_result(conn)
}

/// Ingredients back above their threshold: their next crossing alerts again.
pub fn try_clear_recovered(conn: &mut DbConn, p: PizzeriaId) -> QueryResult<usize> {
    diesel::update(recovered!(p))
        .set(stock_levels::low_since.eq(None::<NaiveDateTime>))
        .execute(conn)
}

/// A new low-stock threshold; false when the pizzeria has no row for the ingredient.
pub fn set_threshold(
    conn: &mut DbConn,
    p: PizzeriaId,
    i: IngredientId,
    threshold: i64,
) -> QueryResult<bool> {
    diesel::update(
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq(p))
            .filter(stock_levels::ingredient_id.eq(i)),
    )
    .set((
        stock_levels::low_threshold.eq(threshold),
        stock_levels::updated_at.eq(now()),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// One ingredient of the group: (name, unit).
pub fn ingredient(conn: &mut DbConn, i: IngredientId) -> QueryResult<Option<(String, Unit)>> {
    ingredients::table
        .find(i)
        .select((ingredients::name, ingredients::unit))
        .first(conn)
        .optional()
}

/// Locks the stock rows of some ingredients of `p` (in index order) for the rest of the
/// transaction, so that what is read next stays true until the commit (an inventory count).
pub fn touch_levels(conn: &mut DbConn, p: PizzeriaId, ids: &[IngredientId]) -> QueryResult<usize> {
    diesel::update(
        stock_levels::table
            .filter(stock_levels::pizzeria_id.eq(p))
            .filter(stock_levels::ingredient_id.eq_any(ids)),
    )
    .set(stock_levels::updated_at.eq(now()))
    .execute(conn)
}
