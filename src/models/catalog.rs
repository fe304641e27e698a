//! Ingredients, products and their recipes (group-wide), and each pizzeria's menu switches.

use crate::db::schema::{ingredients, menu_items, products, recipe_lines, recipe_steps};
use crate::db::{last_insert_id, DbConn};
use crate::domain::allergen::{self, Allergen};
use crate::domain::catalog::ProductKind;
use crate::domain::ids::{IngredientId, PizzeriaId, ProductId};
use crate::domain::money::Money;
use crate::domain::stock::Unit;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Insertable)]
#[diesel(table_name = ingredients)]
pub struct NewIngredient<'a> {
    pub name: &'a str,
    pub unit: Unit,
    pub created_at: NaiveDateTime,
    /// Stored as `domain::allergen::store` writes it.
    pub allergens: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub kind: ProductKind,
    pub name: &'a str,
    pub description: &'a str,
    #[diesel(column_name = price_cents)]
    pub price: Money,
    pub position: i32,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = recipe_lines)]
pub struct NewRecipeLine {
    pub product_id: ProductId,
    pub ingredient_id: IngredientId,
    pub quantity: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = recipe_steps)]
pub struct NewRecipeStep<'a> {
    pub product_id: ProductId,
    pub position: i32,
    pub instruction: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = menu_items)]
pub struct NewMenuItem {
    pub pizzeria_id: PizzeriaId,
    pub product_id: ProductId,
    pub enabled: bool,
}

pub fn insert_ingredient(conn: &mut DbConn, row: &NewIngredient<'_>) -> QueryResult<IngredientId> {
    diesel::insert_into(ingredients::table)
        .values(row)
        .execute(conn)?;
    last_insert_id(conn).map(IngredientId)
}

pub fn insert_product(conn: &mut DbConn, row: &NewProduct<'_>) -> QueryResult<ProductId> {
    diesel::insert_into(products::table)
        .values(row)
        .execute(conn)?;
    last_insert_id(conn).map(ProductId)
}

pub fn insert_recipe_line(conn: &mut DbConn, row: &NewRecipeLine) -> QueryResult<()> {
    diesel::insert_into(recipe_lines::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_recipe_step(conn: &mut DbConn, row: &NewRecipeStep<'_>) -> QueryResult<()> {
    diesel::insert_into(recipe_steps::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_menu_item(conn: &mut DbConn, row: &NewMenuItem) -> QueryResult<()> {
    diesel::insert_into(menu_items::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A product as it can be ordered at a pizzeria right now (on its menu, switched on, active).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Orderable {
    pub id: ProductId,
    pub name: String,
    pub price: Money,
}

pub fn orderable(
    conn: &mut DbConn,
    pizzeria: PizzeriaId,
    ids: &[ProductId],
) -> QueryResult<Vec<Orderable>> {
    products::table
        .inner_join(menu_items::table)
        .filter(menu_items::pizzeria_id.eq(pizzeria))
        .filter(menu_items::enabled.eq(true))
        .filter(products::active.eq(true))
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name, products::price_cents))
        .load(conn)
}

/// Names of products, whatever their state (for messages about products no longer offered).
pub fn names(conn: &mut DbConn, ids: &[ProductId]) -> QueryResult<Vec<(ProductId, String)>> {
    products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name))
        .load(conn)
}

/// Recipe lines of the given products: (product, ingredient, quantity per unit).
pub fn recipes(
    conn: &mut DbConn,
    ids: &[ProductId],
) -> QueryResult<Vec<(ProductId, IngredientId, i64)>> {
    recipe_lines::table
        .filter(recipe_lines::product_id.eq_any(ids))
        .select((
            recipe_lines::product_id,
            recipe_lines::ingredient_id,
            recipe_lines::quantity,
        ))
        .load(conn)
}

/// A recipe card: the product's ingredients (per pizza) and its steps.
#[derive(Debug, Clone)]
pub struct RecipeCard {
    pub product: ProductId,
    pub name: String,
    pub ingredients: Vec<(String, Unit, i64)>,
    pub steps: Vec<String>,
    /// Those of its ingredients, in the regulation's order.
    pub allergens: Vec<Allergen>,
}

/// The recipe cards of some products: three queries.
pub fn recipe_cards(conn: &mut DbConn, ids: &[ProductId]) -> QueryResult<Vec<RecipeCard>> {
    let names: Vec<(ProductId, String)> = products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name))
        .load(conn)?;
    let mut ingredients_of: HashMap<ProductId, Vec<(String, Unit, i64)>> = HashMap::new();
    let mut allergens_of: HashMap<ProductId, Vec<Vec<Allergen>>> = HashMap::new();
    let rows: Vec<(ProductId, String, Unit, i64, String)> = recipe_lines::table
        .inner_join(ingredients::table)
        .filter(recipe_lines::product_id.eq_any(ids))
        .order(recipe_lines::id.asc())
        .select((
            recipe_lines::product_id,
            ingredients::name,
            ingredients::unit,
            recipe_lines::quantity,
            ingredients::allergens,
        ))
        .load(conn)?;
    for (product, name, unit, qty, allergens) in rows {
        allergens_of
            .entry(product)
            .or_default()
            .push(allergen::parse(&allergens));
        ingredients_of
            .entry(product)
            .or_default()
            .push((name, unit, qty));
    }
    let mut steps_of: HashMap<ProductId, Vec<String>> = HashMap::new();
    let rows: Vec<(ProductId, String)> = recipe_steps::table
        .filter(recipe_steps::product_id.eq_any(ids))
        .order((recipe_steps::product_id, recipe_steps::position))
        .select((recipe_steps::product_id, recipe_steps::instruction))
        .load(conn)?;
    for (product, step) in rows {
        steps_of.entry(product).or_default().push(step);
    }
    Ok(names
        .into_iter()
        .map(|(product, name)| RecipeCard {
            product,
            name,
            ingredients: ingredients_of.remove(&product).unwrap_or_default(),
            steps: steps_of.remove(&product).unwrap_or_default(),
            allergens: allergen::of_recipe(
                allergens_of
                    .remove(&product)
                    .unwrap_or_default()
                    .iter()
                    .map(Vec::as_slice),
            ),
        })
        .collect())
}

/// The kind of some products (how many of an order's items go in the oven).
pub fn kinds(conn: &mut DbConn, ids: &[ProductId]) -> QueryResult<Vec<(ProductId, ProductKind)>> {
    products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::kind))
        .load(conn)
}
