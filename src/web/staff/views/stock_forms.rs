//! What the manager's stock forms share: the ingredients with their levels, the quantities
//! typed per ingredient (in its unit, or kg, cl, l), a refusal of the stock service next to
//! its field, and the way back to the stock page.

use super::pizzeria_of;
use super::stock::Typed;
use crate::domain::ids::{IngredientId, PizzeriaId};
use crate::domain::supply::parse_quantity;
use crate::models::pizzeria::Pizzeria;
use crate::models::stock_view::{self, IngredientLevel};
use crate::services::stock::StockError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::{FieldErrors, RawForm};
use crate::web::guards::Manager;
use crate::web::layout::Reply;
use rocket::response::Redirect;

pub async fn levels_of(
    state: &AppState,
    manager: &Manager,
) -> AppResult<(Pizzeria, Vec<IngredientLevel>)> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let p = pizzeria.id;
    let levels = state.db.run(move |c| stock_view::levels(c, p)).await??;
    Ok((pizzeria, levels))
}

/// Takes every `<prefix>[<id>]` and `unit[<id>]` field of a form.
pub fn take_lines(form: &mut RawForm, prefix: &str) -> Typed {
    let mut typed = Typed::new();
    for name in [prefix, "unit"] {
        for (key, value) in form.take_indexed(name) {
            typed.insert(format!("{name}[{key}]"), value);
        }
    }
    typed
}

/// The quantities typed per ingredient, in its unit: blank lines are skipped, anything else
/// that does not parse (an unknown ingredient, a unit that does not fit) is an error there.
pub fn quantities(
    levels: &[IngredientLevel],
    typed: &Typed,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Vec<(IngredientId, i64)> {
    let mut out = Vec::new();
    let open = format!("{prefix}[");
    for (field, value) in typed.iter().filter(|(k, _)| k.starts_with(&open)) {
        if value.trim().is_empty() {
            continue;
        }
        let key = &field[open.len()..field.len() - 1];
        let level = key
            .parse::<i64>()
            .ok()
            .and_then(|id| levels.iter().find(|l| l.id.0 == id));
        let Some(level) = level else {
            errors.add(field, "Ingrédient inconnu : rechargez la page.");
            continue;
        };
        let unit = typed
            .get(&format!("unit[{key}]"))
            .map_or("", String::as_str);
        let unit = if unit.is_empty() {
            level.unit.as_str()
        } else {
            unit
        };
        if let Some(qty) = errors.check(field, parse_quantity(value, unit, level.unit, false)) {
            out.push((level.id, qty));
        }
    }
    out
}

/// A refusal of the stock service, next to the field of its ingredient.
pub fn refusal(
    e: StockError,
    field_of: impl Fn(IngredientId) -> String,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    match e {
        StockError::BelowReserved { ingredient } => errors.add(
            &field_of(ingredient),
            "Le stock ne peut pas descendre sous ce qui est déjà réservé pour des commandes.",
        ),
        StockError::InvalidQuantity => errors.add("form", e.to_string()),
        other => return Err(other.into()),
    }
    Ok(())
}

pub fn done(p: PizzeriaId, what: &str) -> Reply {
    Reply::Redirect(Redirect::to(format!("/staff/{p}/stock?done={what}")))
}
