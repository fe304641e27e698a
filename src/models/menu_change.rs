//! Menu switches: a product taken off or put back on a pizzeria's menu, with its history. The
//! history is also the feed the live tailer reads, so every process refreshes its open menus.

use super::now;
use crate::db::schema::{menu_changes, menu_items};
use crate::db::DbConn;
use crate::domain::ids::{PizzeriaId, ProductId, UserId};
use diesel::prelude::*;

/// Whether a product is switched on at a pizzeria: None when it was never on its menu.
pub fn switch(conn: &mut DbConn, p: PizzeriaId, product: ProductId) -> QueryResult<Option<bool>> {
    menu_items::table
        .filter(menu_items::pizzeria_id.eq(p))
        .filter(menu_items::product_id.eq(product))
        .select(menu_items::enabled)
        .first(conn)
        .optional()
}

/// Switches a product on or off, creating its menu row the first time; true when it changed.
pub fn try_set_switch(
    conn: &mut DbConn,
    p: PizzeriaId,
    product: ProductId,
    enabled: bool,
) -> QueryResult<bool> {
    let changed = diesel::update(
        menu_items::table
            .filter(menu_items::pizzeria_id.eq(p))
            .filter(menu_items::product_id.eq(product))
            .filter(menu_items::enabled.ne(enabled)),
    )
    .set(menu_items::enabled.eq(enabled))
    .execute(conn)?;
    if changed == 1 {
        return Ok(true);
    }
    if switch(conn, p, product)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(menu_items::table)
        .values((
            menu_items::pizzeria_id.eq(p),
            menu_items::product_id.eq(product),
            menu_items::enabled.eq(enabled),
        ))
        .execute(conn)
        .map(|_| true)
}

pub fn record_change(
    conn: &mut DbConn,
    p: PizzeriaId,
    product: ProductId,
    enabled: bool,
    by: Option<UserId>,
) -> QueryResult<()> {
    diesel::insert_into(menu_changes::table)
        .values((
            menu_changes::pizzeria_id.eq(p),
            menu_changes::product_id.eq(product),
            menu_changes::enabled.eq(enabled),
            menu_changes::user_id.eq(by),
            menu_changes::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Newest switch id (0 when none): where a live tailer starts.
pub fn last_change_id(conn: &mut DbConn) -> QueryResult<i64> {
    use diesel::dsl::max;
    menu_changes::table
        .select(max(menu_changes::id))
        .first::<Option<i64>>(conn)
        .map(|v| v.unwrap_or(0))
}

/// Switches above `high` or among `gaps`, oldest first: (id, pizzeria).
pub fn changes_since(
    conn: &mut DbConn,
    high: i64,
    gaps: &[i64],
    limit: i64,
) -> QueryResult<Vec<(i64, PizzeriaId)>> {
    menu_changes::table
        .filter(menu_changes::id.gt(high).or(menu_changes::id.eq_any(gaps)))
        .order(menu_changes::id.asc())
        .limit(limit)
        .select((menu_changes::id, menu_changes::pizzeria_id))
        .load(conn)
}
