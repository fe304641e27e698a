//! The group's catalogue as the direction edits it: ingredients with their allergens, what
//! uses them, and the allergens of every product (those of its recipe's ingredients).

use crate::db::schema::{
    ingredients, products, recipe_lines, recipe_steps, stock_levels, stock_movements,
};
use crate::db::DbConn;
use crate::domain::allergen::{self, Allergen};
use crate::domain::catalog::ProductKind;
use crate::domain::ids::{IngredientId, ProductId};
use crate::domain::money::Money;
use crate::domain::stock::Unit;
use diesel::prelude::*;
use std::collections::HashMap;

/// An ingredient of the catalogue, with the products whose recipe uses it.
#[derive(Debug, Clone)]
pub struct IngredientEntry {
    pub id: IngredientId,
    pub name: String,
    pub unit: Unit,
    pub allergens: Vec<Allergen>,
    pub used_by: Vec<String>,
}

/// Every ingredient, by name, with what uses it: two queries.
pub fn ingredients(conn: &mut DbConn) -> QueryResult<Vec<IngredientEntry>> {
    let rows: Vec<(IngredientId, String, Unit, String)> = ingredients::table
        .order(ingredients::name.asc())
        .select((
            ingredients::id,
            ingredients::name,
            ingredients::unit,
            ingredients::allergens,
        ))
        .load(conn)?;
    let uses: Vec<(IngredientId, String)> = recipe_lines::table
        .inner_join(products::table)
        .order(products::name.asc())
        .select((recipe_lines::ingredient_id, products::name))
        .load(conn)?;
    let mut used_by: HashMap<IngredientId, Vec<String>> = HashMap::new();
    for (i, product) in uses {
        used_by.entry(i).or_default().push(product);
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, unit, stored)| IngredientEntry {
            id,
            name,
            unit,
            allergens: allergen::parse(&stored),
            used_by: used_by.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub fn ingredient(conn: &mut DbConn, id: IngredientId) -> QueryResult<Option<IngredientEntry>> {
    Ok(ingredients(conn)?.into_iter().find(|i| i.id == id))
}

/// Whether another ingredient has this name, whatever its case.
pub fn ingredient_name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<IngredientId>,
) -> QueryResult<bool> {
    let all: Vec<(IngredientId, String)> = ingredients::table
        .select((ingredients::id, ingredients::name))
        .load(conn)?;
    Ok(named(all, name, except))
}

/// Whether a row other than `except` bears `name`, whatever its case.
fn named<K: PartialEq>(rows: Vec<(K, String)>, name: &str, except: Option<K>) -> bool {
    let wanted = name.to_lowercase();
    rows.into_iter()
        .any(|(id, n)| Some(&id) != except.as_ref() && n.to_lowercase() == wanted)
}

pub fn save_ingredient(
    conn: &mut DbConn,
    id: IngredientId,
    name: &str,
    allergens: &[Allergen],
) -> QueryResult<bool> {
    diesel::update(ingredients::table.find(id))
        .set((
            ingredients::name.eq(name),
            ingredients::allergens.eq(allergen::store(allergens)),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// How many ledger rows an ingredient has at any pizzeria.
pub fn movements_of(conn: &mut DbConn, id: IngredientId) -> QueryResult<i64> {
    stock_movements::table
        .filter(stock_movements::ingredient_id.eq(id))
        .count()
        .get_result(conn)
}

/// Deletes an ingredient and its (empty) stock rows; the caller checked nothing uses it.
pub fn delete_ingredient(conn: &mut DbConn, id: IngredientId) -> QueryResult<bool> {
    diesel::delete(stock_levels::table.filter(stock_levels::ingredient_id.eq(id))).execute(conn)?;
    diesel::delete(ingredients::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

/// The allergens of every product with a recipe: one query.
pub fn product_allergens(conn: &mut DbConn) -> QueryResult<HashMap<ProductId, Vec<Allergen>>> {
    let rows: Vec<(ProductId, String)> = recipe_lines::table
        .inner_join(ingredients::table)
        .select((recipe_lines::product_id, ingredients::allergens))
        .load(conn)?;
    let mut of: HashMap<ProductId, Vec<Vec<Allergen>>> = HashMap::new();
    for (product, stored) in rows {
        of.entry(product)
            .or_default()
            .push(allergen::parse(&stored));
    }
    Ok(of
        .into_iter()
        .map(|(p, lists)| (p, allergen::of_recipe(lists.iter().map(Vec::as_slice))))
        .collect())
}

/// A product of the catalogue as the direction sees it.
#[derive(Debug, Clone, Queryable)]
pub struct ProductEntry {
    pub id: ProductId,
    pub kind: ProductKind,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub active: bool,
}

/// Its recipe: ingredient lines (in the ingredient's unit), then the steps in order.
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    pub lines: Vec<(IngredientId, String, Unit, i64)>,
    pub steps: Vec<String>,
}

fn product_columns() -> (
    products::id,
    products::kind,
    products::name,
    products::description,
    products::price_cents,
    products::active,
) {
    (
        products::id,
        products::kind,
        products::name,
        products::description,
        products::price_cents,
        products::active,
    )
}

/// Every product, by kind then menu position.
pub fn products(conn: &mut DbConn) -> QueryResult<Vec<ProductEntry>> {
    let mut all: Vec<(ProductEntry, i32)> = products::table
        .select((product_columns(), products::position))
        .load(conn)?;
    all.sort_by_key(|(p, position)| (p.kind.rank(), *position));
    Ok(all.into_iter().map(|(p, _)| p).collect())
}

pub fn product(conn: &mut DbConn, id: ProductId) -> QueryResult<Option<(ProductEntry, Recipe)>> {
    let Some(entry) = products::table
        .find(id)
        .select(product_columns())
        .first::<ProductEntry>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let lines = recipe_lines::table
        .inner_join(ingredients::table)
        .filter(recipe_lines::product_id.eq(id))
        .order(recipe_lines::id.asc())
        .select((
            ingredients::id,
            ingredients::name,
            ingredients::unit,
            recipe_lines::quantity,
        ))
        .load(conn)?;
    let steps = recipe_steps::table
        .filter(recipe_steps::product_id.eq(id))
        .order(recipe_steps::position.asc())
        .select(recipe_steps::instruction)
        .load(conn)?;
    Ok(Some((entry, Recipe { lines, steps })))
}

/// Whether another product has this name, whatever its case.
pub fn product_name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<ProductId>,
) -> QueryResult<bool> {
    let all: Vec<(ProductId, String)> = products::table
        .select((products::id, products::name))
        .load(conn)?;
    Ok(named(all, name, except))
}

/// The next menu position of a kind.
pub fn next_position(conn: &mut DbConn, kind: ProductKind) -> QueryResult<i32> {
    let top: Option<i32> = products::table
        .filter(products::kind.eq(kind))
        .select(diesel::dsl::max(products::position))
        .first(conn)?;
    Ok(top.map_or(0, |p| p + 1))
}

/// Which of these ingredients exist.
pub fn existing_ingredients(
    conn: &mut DbConn,
    ids: &[IngredientId],
) -> QueryResult<Vec<IngredientId>> {
    ingredients::table
        .filter(ingredients::id.eq_any(ids))
        .select(ingredients::id)
        .load(conn)
}

pub fn save_product(conn: &mut DbConn, p: &ProductEntry) -> QueryResult<bool> {
    diesel::update(products::table.find(p.id))
        .set((
            products::kind.eq(p.kind),
            products::name.eq(&p.name),
            products::description.eq(&p.description),
            products::price_cents.eq(p.price),
            products::active.eq(p.active),
            products::updated_at.eq(crate::models::now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Removes a product's recipe lines and steps, before the new ones are written.
pub fn delete_recipe(conn: &mut DbConn, id: ProductId) -> QueryResult<()> {
    diesel::delete(recipe_lines::table.filter(recipe_lines::product_id.eq(id))).execute(conn)?;
    diesel::delete(recipe_steps::table.filter(recipe_steps::product_id.eq(id))).execute(conn)?;
    Ok(())
}

/// The photo of each product that has one (its key, see `domain::photo`).
pub fn photos(conn: &mut DbConn) -> QueryResult<HashMap<ProductId, String>> {
    let rows: Vec<(ProductId, Option<String>)> = products::table
        .filter(products::photo.is_not_null())
        .select((products::id, products::photo))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, key)| Some((id, key?)))
        .collect())
}

/// A product's photo key: None for no such product, Some(None) for one without a photo.
pub fn photo_of(conn: &mut DbConn, id: ProductId) -> QueryResult<Option<Option<String>>> {
    products::table
        .find(id)
        .select(products::photo)
        .first(conn)
        .optional()
}

/// Names a product's photo (None: shown without one); false when there is no such product.
pub fn set_photo(conn: &mut DbConn, id: ProductId, key: Option<&str>) -> QueryResult<bool> {
    diesel::update(products::table.find(id))
        .set((
            products::photo.eq(key),
            products::updated_at.eq(crate::models::now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
