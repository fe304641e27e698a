//! What the load generators under examples/ share: command-line flags, preparing the demo
//! database so that only basil limits the Margherita at the first pizzeria, and percentiles.

use diesel::prelude::*;
use ocpizza::db::schema::{ingredients, pizzerias, products};
use ocpizza::db::DbConn;
use ocpizza::domain::ids::{IngredientId, PizzeriaId};
use ocpizza::models::stock::{self as stock_rows, Context};
use ocpizza::services::stock;
use std::collections::HashMap;
use std::time::Duration;

/// `--name value` pairs; `defaults` names every accepted flag.
pub fn flags(defaults: &[(&str, &str)]) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = defaults
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let raw: Vec<String> = std::env::args().skip(1).collect();
    for pair in raw.chunks(2) {
        let name = pair[0].trim_start_matches("--");
        assert!(values.contains_key(name), "unknown argument {}", pair[0]);
        values.insert(name.to_string(), pair.get(1).cloned().unwrap_or_default());
    }
    values
}

/// Basil limits the Margherita (3 g each).
pub const BASIL_PER_PIZZA: i64 = 3;

pub struct Margherita {
    pub pizzeria: PizzeriaId,
    pub basil: IngredientId,
    pub product: i64,
}

fn id_of_ingredient(c: &mut DbConn, name: &str) -> IngredientId {
    IngredientId(
        ingredients::table
            .filter(ingredients::name.eq(name))
            .select(ingredients::id)
            .first(c)
            .unwrap(),
    )
}

/// Every pizzeria open all day; at the first one, plenty of everything a Margherita needs but
/// basil.
pub fn prepare(c: &mut DbConn) -> Margherita {
    ocpizza::services::demo::open_all_day(c).unwrap();
    let ids: Vec<i64> = pizzerias::table
        .select(pizzerias::id)
        .order(pizzerias::id)
        .load(c)
        .unwrap();
    let p = PizzeriaId(ids[0]);
    for name in [
        "Pâte à pizza",
        "Sauce tomate San Marzano",
        "Mozzarella fior di latte",
        "Huile d'olive extra vierge",
    ] {
        let i = id_of_ingredient(c, name);
        let level = stock_rows::level(c, p, i).unwrap().unwrap();
        stock::count(c, p, i, level.reserved + 10_000_000, Context::default()).unwrap();
    }
    Margherita {
        pizzeria: p,
        basil: id_of_ingredient(c, "Basilic frais"),
        product: products::table
            .filter(products::name.eq("Margherita"))
            .select(products::id)
            .first(c)
            .unwrap(),
    }
}

/// Counts the basil so that exactly `n` more Margheritas can be made.
pub fn allow_margheritas(c: &mut DbConn, m: &Margherita, n: i64) {
    let level = stock_rows::level(c, m.pizzeria, m.basil).unwrap().unwrap();
    stock::count(
        c,
        m.pizzeria,
        m.basil,
        level.reserved + n * BASIL_PER_PIZZA,
        Context::default(),
    )
    .unwrap();
}

/// In milliseconds; `sorted` must not be empty.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}
