//! A pizzeria's menu with live availability, in two queries whatever the number of products.

use crate::db::schema::{menu_items, products, recipe_lines, stock_levels};
use crate::db::DbConn;
use crate::domain::ids::{PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::stock::{makeable_count, Requirement};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuProduct {
    pub id: ProductId,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub price: Money,
}

/// Makeable count per product on the menu; a product missing from the map counts 0.
pub type Counts = HashMap<ProductId, i64>;

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "pizza" => 0,
        "drink" => 1,
        _ => 2,
    }
}

/// Products switched on at this pizzeria: pizzas, then drinks, then desserts.
pub fn products(conn: &mut DbConn, pizzeria: PizzeriaId) -> QueryResult<Vec<MenuProduct>> {
    let rows: Vec<(i64, String, String, String, i64, i32)> = products::table
        .inner_join(menu_items::table)
        .filter(menu_items::pizzeria_id.eq(pizzeria.0))
        .filter(menu_items::enabled.eq(true))
        .filter(products::active.eq(true))
        .select((
            products::id,
            products::kind,
            products::name,
            products::description,
            products::price_cents,
            products::position,
        ))
        .load(conn)?;
    let mut rows = rows;
    rows.sort_by(|a, b| (kind_rank(&a.1), a.5, &a.2).cmp(&(kind_rank(&b.1), b.5, &b.2)));
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, description, price, _)| MenuProduct {
            id: ProductId(id),
            kind,
            name,
            description,
            price: Money::from_cents(price),
        })
        .collect())
}

/// How many of each menu product the pizzeria's stock can still make: one query joining the
/// recipes of the menu to the pizzeria's stock levels.
pub fn counts(conn: &mut DbConn, pizzeria: PizzeriaId) -> QueryResult<Counts> {
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>)> = recipe_lines::table
        .inner_join(
            menu_items::table.on(menu_items::product_id
                .eq(recipe_lines::product_id)
                .and(menu_items::pizzeria_id.eq(pizzeria.0))
                .and(menu_items::enabled.eq(true))),
        )
        .left_join(
            stock_levels::table.on(stock_levels::ingredient_id
                .eq(recipe_lines::ingredient_id)
                .and(stock_levels::pizzeria_id.eq(pizzeria.0))),
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
        lines
            .entry(ProductId(product))
            .or_default()
            .push(Requirement {
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
