//! The manager's stock board: every ingredient with its level, state and days of cover, the
//! products with how many can still be made and what limits them, the alerts, and the
//! suggested supplier order; and the ingredient lines of the stock forms.

use crate::db::DbConn;
use crate::domain::ids::{IngredientId, PizzeriaId};
use crate::domain::supply::{self, StockState};
use crate::models::stock_view::{self, IngredientLevel, ProductRecipe};
use crate::web::form::FieldErrors;
use chrono::Duration;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Everything the board shows, read together.
pub struct StockRead {
    pub levels: Vec<IngredientLevel>,
    pub products: Vec<ProductRecipe>,
    /// What each ingredient's pizzas used in the last 7 days.
    pub consumed: HashMap<IngredientId, i64>,
}

pub fn read(conn: &mut DbConn, p: PizzeriaId) -> diesel::result::QueryResult<StockRead> {
    Ok(StockRead {
        levels: stock_view::levels(conn, p)?,
        products: stock_view::product_recipes(conn, p)?,
        consumed: stock_view::consumed_since(conn, p, crate::models::now() - Duration::days(7))?,
    })
}

#[derive(Serialize)]
pub struct IngredientRow {
    pub id: i64,
    pub name: String,
    pub on_hand: String,
    pub reserved: String,
    pub available: String,
    pub threshold: String,
    pub state: StockState,
    pub state_label: &'static str,
    pub cover: String,
}

#[derive(Serialize)]
pub struct ProductRow {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// None: no recipe, it cannot be sold.
    pub makeable: Option<i64>,
    pub limited_by: Option<String>,
}

#[derive(Serialize)]
pub struct OrderRow {
    pub name: String,
    pub to_order: String,
    pub available: String,
    pub per_day: String,
}

#[derive(Serialize)]
pub struct Board {
    pub alerts: Vec<IngredientRow>,
    pub ingredients: Vec<IngredientRow>,
    pub products: Vec<ProductRow>,
    pub supplier_order: Vec<OrderRow>,
    pub days: i64,
}

fn cover_text(days: Option<f64>) -> String {
    match days {
        None => "—".into(),
        Some(d) if d >= 99.5 => "99 j et plus".into(),
        Some(d) => format!("{:.1} j", d).replace('.', ","),
    }
}

fn ingredient_row(l: &IngredientLevel, consumed: i64) -> IngredientRow {
    let state = StockState::of(l.available(), l.threshold);
    IngredientRow {
        id: l.id.0,
        name: l.name.clone(),
        on_hand: l.unit.show(l.on_hand),
        reserved: l.unit.show(l.reserved),
        available: l.unit.show(l.available()),
        threshold: l.unit.show(l.threshold),
        state,
        state_label: state.label(),
        cover: cover_text(supply::days_of_cover(l.available(), consumed)),
    }
}

fn product_rows(read: &StockRead) -> Vec<ProductRow> {
    let by_id: HashMap<IngredientId, &IngredientLevel> =
        read.levels.iter().map(|l| (l.id, l)).collect();
    read.products
        .iter()
        .map(|p| {
            let lines: Vec<(IngredientId, i64, i64)> = p
                .lines
                .iter()
                .map(|(i, per)| (*i, *per, by_id.get(i).map_or(0, |l| l.available())))
                .collect();
            let limit = supply::limiting(&lines);
            ProductRow {
                id: p.id.0,
                name: p.name.clone(),
                enabled: p.enabled,
                makeable: limit.map(|(_, n)| n),
                limited_by: limit.and_then(|(i, _)| by_id.get(&i).map(|l| l.name.clone())),
            }
        })
        .collect()
}

/// The board, with a supplier order for `days` of cover.
pub fn board(read: &StockRead, days: i64) -> Board {
    let used = |l: &IngredientLevel| read.consumed.get(&l.id).copied().unwrap_or(0);
    let ingredients: Vec<IngredientRow> = read
        .levels
        .iter()
        .map(|l| ingredient_row(l, used(l)))
        .collect();
    let alerts = read
        .levels
        .iter()
        .filter(|l| StockState::of(l.available(), l.threshold).alerting())
        .map(|l| ingredient_row(l, used(l)))
        .collect();
    let supplier_order = read
        .levels
        .iter()
        .filter_map(|l| {
            let qty = supply::to_order(l.available(), used(l), days, l.threshold);
            (qty > 0).then(|| OrderRow {
                name: l.name.clone(),
                to_order: l.unit.show(qty),
                available: l.unit.show(l.available()),
                per_day: l.unit.show((used(l) + 6) / 7),
            })
        })
        .collect();
    Board {
        alerts,
        ingredients,
        products: product_rows(read),
        supplier_order,
        days,
    }
}

/// One ingredient line of a stock form: what was typed, in which unit, and what is wrong.
#[derive(Serialize)]
pub struct FormLine {
    pub id: i64,
    pub name: String,
    /// (value, label) of the units the line accepts.
    pub units: &'static [(&'static str, &'static str)],
    pub unit: String,
    pub value: String,
    pub field: String,
    pub error: Option<String>,
    pub on_hand: String,
    pub reserved: String,
}

/// What a person typed in a stock form, by field name.
pub type Typed = BTreeMap<String, String>;

/// The lines of a form with a field per ingredient (`<prefix>[<id>]`, unit in `unit[<id>]`).
pub fn form_lines(
    levels: &[IngredientLevel],
    prefix: &str,
    typed: &Typed,
    errors: &FieldErrors,
) -> Vec<FormLine> {
    levels
        .iter()
        .map(|l| {
            let field = format!("{prefix}[{}]", l.id);
            let units = supply::units_for(l.unit);
            FormLine {
                id: l.id.0,
                name: l.name.clone(),
                units,
                unit: typed
                    .get(&format!("unit[{}]", l.id))
                    .cloned()
                    .unwrap_or_else(|| units[0].0.to_string()),
                value: typed.get(&field).cloned().unwrap_or_default(),
                error: errors.get(&field).map(str::to_string),
                field,
                on_hand: l.unit.show(l.on_hand),
                reserved: l.unit.show(l.reserved),
            }
        })
        .collect()
}
