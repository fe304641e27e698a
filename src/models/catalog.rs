//! Ingredients, products and their recipes (group-wide).

use crate::db::schema::{ingredients, menu_items, products, recipe_lines, recipe_steps};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = ingredients)]
pub struct NewIngredient<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub price_cents: i64,
    pub position: i32,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = recipe_lines)]
pub struct NewRecipeLine {
    pub product_id: i64,
    pub ingredient_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = recipe_steps)]
pub struct NewRecipeStep<'a> {
    pub product_id: i64,
    pub position: i32,
    pub instruction: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = menu_items)]
pub struct NewMenuItem {
    pub pizzeria_id: i64,
    pub product_id: i64,
    pub enabled: bool,
}

/// A product as it can be ordered at a pizzeria right now (on its menu, switched on, active).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orderable {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
}

pub fn orderable(
    conn: &mut crate::db::DbConn,
    pizzeria: crate::domain::ids::PizzeriaId,
    ids: &[i64],
) -> QueryResult<Vec<Orderable>> {
    let rows: Vec<(i64, String, i64)> = products::table
        .inner_join(menu_items::table)
        .filter(menu_items::pizzeria_id.eq(pizzeria.0))
        .filter(menu_items::enabled.eq(true))
        .filter(products::active.eq(true))
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name, products::price_cents))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, price_cents)| Orderable {
            id,
            name,
            price_cents,
        })
        .collect())
}

/// Names of products, whatever their state (for messages about products no longer offered).
pub fn names(conn: &mut crate::db::DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name))
        .load(conn)
}

/// Recipe lines of the given products: (product, ingredient, quantity per unit).
pub fn recipes(conn: &mut crate::db::DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, i64, i64)>> {
    recipe_lines::table
        .filter(recipe_lines::product_id.eq_any(ids))
        .select((
            recipe_lines::product_id,
            recipe_lines::ingredient_id,
            recipe_lines::quantity,
        ))
        .load(conn)
}
