//! A pizzeria's menu with live availability, in two queries whatever the number of products.

use super::pizzeria::{self, Pizzeria};
use crate::db::schema::{menu_items, products, recipe_lines, stock_levels};
use crate::db::DbConn;
use crate::domain::catalog::ProductKind;
use crate::domain::hours::Slot;
use crate::domain::ids::{PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::stock::{makeable_count, Requirement};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct MenuProduct {
    pub id: ProductId,
    pub kind: ProductKind,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub position: i32,
    /// The key of its photo's sizes (`domain::photo`), if it has one.
    pub photo: Option<String>,
}

/// Makeable count per product on the menu; a product missing from the map counts 0.
pub type Counts = HashMap<ProductId, i64>;

/// Products switched on at this pizzeria: pizzas, then drinks, then desserts.
pub fn products(conn: &mut DbConn, pizzeria: PizzeriaId) -> QueryResult<Vec<MenuProduct>> {
    let mut rows: Vec<MenuProduct> = products::table
        .inner_join(menu_items::table)
        .filter(menu_items::pizzeria_id.eq(pizzeria))
        .filter(menu_items::enabled.eq(true))
        .filter(products::active.eq(true))
        .select((
            products::id,
            products::kind,
            products::name,
            products::description,
            products::price_cents,
            products::position,
            products::photo,
        ))
        .load(conn)?;
    rows.sort_by(|a, b| {
        (a.kind.rank(), a.position, &a.name).cmp(&(b.kind.rank(), b.position, &b.name))
    });
    Ok(rows)
}

/// How many of each menu product the pizzeria's stock can still make: one query joining the
/// recipes of the menu to the pizzeria's stock levels.
pub fn counts(conn: &mut DbConn, pizzeria: PizzeriaId) -> QueryResult<Counts> {
    let rows: Vec<(ProductId, i64, Option<i64>, Option<i64>)> = recipe_lines::table
        .inner_join(
            menu_items::table.on(menu_items::product_id
                .eq(recipe_lines::product_id)
                .and(menu_items::pizzeria_id.eq(pizzeria))
                .and(menu_items::enabled.eq(true))),
        )
        .left_join(
            stock_levels::table.on(stock_levels::ingredient_id
                .eq(recipe_lines::ingredient_id)
                .and(stock_levels::pizzeria_id.eq(pizzeria))),
        )
        .select((
            recipe_lines::product_id,
            recipe_lines::quantity,
            stock_levels::on_hand.nullable(),
            stock_levels::reserved.nullable(),
        ))
        .load(conn)?;
    let mut lines: HashMap<ProductId, Vec<Requirement>> = HashMap::new();
    for (product, per_unit, on_hand, reserved) in rows {
        lines.entry(product).or_default().push(Requirement {
            per_unit,
            on_hand: on_hand.unwrap_or(0),
            reserved: reserved.unwrap_or(0),
        });
    }
    Ok(lines
        .into_iter()
        .map(|(product, reqs)| (product, makeable_count(reqs)))
        .collect())
}

/// The allergens of each product (from its recipe); a product missing from the map has none.
pub type Allergens = HashMap<ProductId, Vec<crate::domain::allergen::Allergen>>;

/// Everything a menu page shows, read together.
#[derive(Debug)]
pub struct MenuRead {
    pub pizzeria: Pizzeria,
    pub slots: Vec<Slot>,
    pub products: Vec<MenuProduct>,
    pub counts: Counts,
    pub allergens: Allergens,
}

/// The menu of an active pizzeria, or None.
pub fn read_menu(conn: &mut DbConn, id: PizzeriaId) -> QueryResult<Option<MenuRead>> {
    let Some(pizzeria) = Pizzeria::find_active(conn, id)? else {
        return Ok(None);
    };
    Ok(Some(MenuRead {
        slots: pizzeria::slots_of(conn, id)?,
        products: products(conn, id)?,
        counts: counts(conn, id)?,
        allergens: super::catalog_admin::product_allergens(conn)?,
        pizzeria,
    }))
}

/// The products switched on at a pizzeria and their makeable counts.
pub fn products_and_counts(
    conn: &mut DbConn,
    id: PizzeriaId,
) -> QueryResult<(Vec<MenuProduct>, Counts)> {
    Ok((products(conn, id)?, counts(conn, id)?))
}
