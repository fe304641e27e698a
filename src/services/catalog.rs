//! The direction's catalogue: ingredients with the allergens they contain. Each change is one
//! transaction; a new ingredient gets an empty stock row at every pizzeria.

use crate::db::{write_tx, AsDieselError, DbConn};
use crate::domain::allergen::{self, Allergen};
use crate::domain::catalog::ProductKind;
use crate::domain::ids::IngredientId;
use crate::domain::ids::ProductId;
use crate::domain::money::Money;
use crate::domain::stock::Unit;
use crate::models::catalog::{
    self, NewIngredient, NewMenuItem, NewProduct, NewRecipeLine, NewRecipeStep,
};
use crate::models::catalog_admin::ProductEntry;
use crate::models::stock::{self as stock_rows, NewLevel};
use crate::models::{catalog_admin, now, pizzeria};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("Un ingrédient porte déjà ce nom.")]
    DuplicateName,
    #[error("Cet ingrédient n'existe pas.")]
    UnknownIngredient,
    #[error("Cet ingrédient est utilisé par : {}. Retirez-le de ces recettes d'abord.", .0.join(", "))]
    InUse(Vec<String>),
    #[error("Cet ingrédient a un historique de stock ({0} mouvements) : il reste au catalogue pour que le registre s'explique.")]
    HasHistory(i64),
    #[error("Un produit porte déjà ce nom.")]
    DuplicateProduct,
    #[error("Ce produit n'existe pas.")]
    UnknownProduct,
    #[error(transparent)]
    Db(DieselError),
}

impl From<DieselError> for CatalogError {
    fn from(e: DieselError) -> Self {
        match e {
            // Two admins creating the same name at once: the unique index decides.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                CatalogError::DuplicateName
            }
            e => CatalogError::Db(e),
        }
    }
}

impl AsDieselError for CatalogError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            CatalogError::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// A new ingredient, with an empty stock row (threshold 0) at every pizzeria.
pub fn create_ingredient(
    conn: &mut DbConn,
    name: &str,
    unit: Unit,
    allergens: &[Allergen],
) -> Result<IngredientId, CatalogError> {
    let stored = allergen::store(allergens);
    write_tx(conn, |c| {
        if catalog_admin::ingredient_name_taken(c, name, None)? {
            return Err(CatalogError::DuplicateName);
        }
        let id = catalog::insert_ingredient(
            c,
            &NewIngredient {
                name,
                unit,
                created_at: now(),
                allergens: &stored,
            },
        )?;
        for p in pizzeria::all_ids(c)? {
            let level = NewLevel {
                pizzeria_id: p,
                ingredient_id: id,
                on_hand: 0,
                reserved: 0,
                low_threshold: 0,
                updated_at: now(),
            };
            stock_rows::insert_level(c, &level)?;
        }
        Ok(id)
    })
}

/// A new name or new allergens. The unit stays: the stock and the recipes count in it.
pub fn update_ingredient(
    conn: &mut DbConn,
    id: IngredientId,
    name: &str,
    allergens: &[Allergen],
) -> Result<(), CatalogError> {
    write_tx(conn, |c| {
        if catalog_admin::ingredient_name_taken(c, name, Some(id))? {
            return Err(CatalogError::DuplicateName);
        }
        if !catalog_admin::save_ingredient(c, id, name, allergens)? {
            return Err(CatalogError::UnknownIngredient);
        }
        Ok(())
    })
}

/// Deletes an ingredient no recipe uses and no ledger row names; returns its name.
pub fn remove_ingredient(conn: &mut DbConn, id: IngredientId) -> Result<String, CatalogError> {
    write_tx(conn, |c| {
        let Some(entry) = catalog_admin::ingredient(c, id)? else {
            return Err(CatalogError::UnknownIngredient);
        };
        if !entry.used_by.is_empty() {
            return Err(CatalogError::InUse(entry.used_by));
        }
        let history = catalog_admin::movements_of(c, id)?;
        if history > 0 {
            return Err(CatalogError::HasHistory(history));
        }
        catalog_admin::delete_ingredient(c, id)?;
        Ok(entry.name)
    })
}

/// A product as the form says it: checked already (`domain::catalog`), its recipe at least one
/// line, each ingredient once, quantities above 0 in the ingredient's unit.
#[derive(Debug, Clone)]
pub struct ProductForm {
    pub kind: ProductKind,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub active: bool,
    pub lines: Vec<(IngredientId, i64)>,
    pub steps: Vec<String>,
}

fn write_recipe(c: &mut DbConn, id: ProductId, f: &ProductForm) -> Result<(), CatalogError> {
    let wanted: Vec<IngredientId> = f.lines.iter().map(|(i, _)| *i).collect();
    if catalog_admin::existing_ingredients(c, &wanted)?.len() != wanted.len() {
        return Err(CatalogError::UnknownIngredient);
    }
    catalog_admin::delete_recipe(c, id)?;
    for &(ingredient_id, quantity) in &f.lines {
        let line = NewRecipeLine {
            product_id: id,
            ingredient_id,
            quantity,
        };
        catalog::insert_recipe_line(c, &line)?;
    }
    for (position, instruction) in f.steps.iter().enumerate() {
        let step = NewRecipeStep {
            product_id: id,
            position: position as i32 + 1,
            instruction,
        };
        catalog::insert_recipe_step(c, &step)?;
    }
    Ok(())
}

/// A new product with its recipe, switched on at every pizzeria's menu.
pub fn create_product(conn: &mut DbConn, f: &ProductForm) -> Result<ProductId, CatalogError> {
    write_tx(conn, |c| {
        if catalog_admin::product_name_taken(c, &f.name, None)? {
            return Err(CatalogError::DuplicateProduct);
        }
        let row = NewProduct {
            kind: f.kind,
            name: &f.name,
            description: &f.description,
            price: f.price,
            position: catalog_admin::next_position(c, f.kind)?,
            active: f.active,
            created_at: now(),
            updated_at: now(),
        };
        let id = catalog::insert_product(c, &row)?;
        write_recipe(c, id, f)?;
        for pizzeria_id in pizzeria::all_ids(c)? {
            let item = NewMenuItem {
                pizzeria_id,
                product_id: id,
                enabled: true,
            };
            catalog::insert_menu_item(c, &item)?;
        }
        Ok(id)
    })
    .map_err(product_error)
}

/// The unique index of product names speaks of a name: here, a product's.
fn product_error(e: CatalogError) -> CatalogError {
    match e {
        CatalogError::DuplicateName => CatalogError::DuplicateProduct,
        e => e,
    }
}

/// A product changed, recipe included. Orders already placed keep their own name and price
/// (order lines are snapshots) and consume or release what they reserved (the ledger).
pub fn update_product(
    conn: &mut DbConn,
    id: ProductId,
    f: &ProductForm,
) -> Result<(), CatalogError> {
    write_tx(conn, |c| {
        if catalog_admin::product_name_taken(c, &f.name, Some(id))? {
            return Err(CatalogError::DuplicateProduct);
        }
        let entry = ProductEntry {
            id,
            kind: f.kind,
            name: f.name.clone(),
            description: f.description.clone(),
            price: f.price,
            active: f.active,
        };
        if !catalog_admin::save_product(c, &entry)? {
            return Err(CatalogError::UnknownProduct);
        }
        write_recipe(c, id, f)
    })
    .map_err(product_error)
}
