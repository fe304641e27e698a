//! One ingredient's ledger at the pizzeria, newest first, a page at a time: who, when, why,
//! which order, and the running balance after each row, so that every figure of the stock
//! page can be explained. Its low-stock threshold is set here too.

use super::views::pizzeria_of;
use crate::domain::ids::{IngredientId, InvalidId, PizzeriaId};
use crate::domain::stock::Unit;
use crate::domain::supply::parse_quantity;
use crate::models::stock_view::{self, Movement};
use crate::services::stock::manager as stock_manager;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted};
use crate::web::format::french_time;
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

pub fn routes() -> Vec<Route> {
    routes![show_ledger, save_threshold]
}

/// Rows per page of the ledger.
pub const PAGE: i64 = 50;

#[derive(Serialize)]
struct Row {
    at: String,
    reason: &'static str,
    note: Option<String>,
    by: String,
    order: Option<String>,
    on_hand: String,
    reserved: String,
    balance_on_hand: String,
    balance_reserved: String,
}

fn not_found() -> AppError {
    AppError::NotFound("Cet ingrédient n'existe pas.".into())
}

/// The page's rows with their running balance: `upto` is the ledger's balance after the
/// newest row of the page.
fn rows(movements: &[Movement], unit: Unit, upto: (i64, i64)) -> Vec<Row> {
    let (mut on_hand, mut reserved) = upto;
    movements
        .iter()
        .map(|m| {
            let row = Row {
                at: french_time(m.at),
                reason: m.reason.label(),
                note: m.note.clone(),
                by: m.by.clone().unwrap_or_else(|| "Système".into()),
                order: m
                    .order_number
                    .map(|n| format!("#{n:03}"))
                    .or(m.order.map(|o| format!("commande {o}"))),
                on_hand: signed(unit, m.delta_on_hand),
                reserved: signed(unit, m.delta_reserved),
                balance_on_hand: unit.show(on_hand),
                balance_reserved: unit.show(reserved),
            };
            on_hand -= m.delta_on_hand;
            reserved -= m.delta_reserved;
            row
        })
        .collect()
}

fn signed(unit: Unit, delta: i64) -> String {
    match delta {
        0 => "—".into(),
        d if d > 0 => format!("+{}", unit.show(d)),
        d => unit.show(d),
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    manager: &Manager,
    ingredient: IngredientId,
    before: Option<i64>,
    layout: Layout,
    threshold: Option<String>,
    errors: FieldErrors,
    saved: bool,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let p = pizzeria.id;
    let read = state
        .db
        .run(move |c| -> diesel::result::QueryResult<_> {
            let Some((name, unit)) = stock_view::ingredient(c, ingredient)? else {
                return Ok(None);
            };
            let level = stock_view::levels(c, p)?
                .into_iter()
                .find(|l| l.id == ingredient);
            let movements = stock_view::movements(c, p, ingredient, before, PAGE + 1)?;
            let upto = match movements.first() {
                Some(m) => stock_view::balance_upto(c, p, ingredient, m.id)?,
                None => (0, 0),
            };
            Ok(Some((name, unit, level, movements, upto)))
        })
        .await??;
    let (name, unit, level, mut movements, upto) = read.ok_or_else(not_found)?;
    let older = (movements.len() as i64 > PAGE).then(|| movements[PAGE as usize - 1].id);
    movements.truncate(PAGE as usize);
    let level = level.unwrap_or(stock_view::IngredientLevel {
        id: ingredient,
        name: name.clone(),
        unit,
        on_hand: 0,
        reserved: 0,
        threshold: 0,
    });
    let ctx = context! {
        layout,
        pizzeria: context! { id: p.0, name: pizzeria.name },
        ingredient: context! {
            id: ingredient.0, name, unit: unit.label(),
            on_hand: unit.show(level.on_hand), reserved: unit.show(level.reserved),
            available: unit.show(level.available()), threshold: unit.show(level.threshold),
        },
        threshold: threshold.unwrap_or_else(|| level.threshold.to_string()),
        rows: rows(&movements, unit, upto),
        older,
        first_page: before.is_none(),
        errors: &errors,
        problem: errors.first(),
        saved,
    };
    Ok(Template::render("staff/stock_ledger", ctx))
}

#[allow(clippy::too_many_arguments)]
#[get("/<_p>/stock/ingredients/<ingredient>?<before>&<saved>")]
async fn show_ledger(
    _p: Result<PizzeriaId, InvalidId>,
    ingredient: Result<IngredientId, InvalidId>,
    before: Option<i64>,
    saved: Option<bool>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let ingredient = ingredient.map_err(|_| not_found())?;
    let layout = Layout::new(&visitor, &csrf);
    let saved = saved.unwrap_or(false);
    page(
        state,
        &manager,
        ingredient,
        before,
        layout,
        None,
        FieldErrors::default(),
        saved,
    )
    .await
}

#[post("/<_p>/stock/ingredients/<ingredient>/threshold", data = "<form>")]
async fn save_threshold(
    _p: Result<PizzeriaId, InvalidId>,
    ingredient: Result<IngredientId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let ingredient = ingredient.map_err(|_| not_found())?;
    let mut form = form.0;
    let raw = form.text("threshold");
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let unit = state
        .db
        .run(move |c| stock_view::ingredient(c, ingredient))
        .await??
        .ok_or_else(not_found)?
        .1;
    let parsed = errors.check(
        "threshold",
        parse_quantity(&raw, unit.as_str(), unit, false),
    );
    if let (Some(threshold), true) = (parsed, errors.is_empty()) {
        let p = manager.0.pizzeria;
        state
            .db
            .run(move |c| stock_manager::set_threshold(c, p, ingredient, threshold))
            .await??;
        // The state of the stock changed without a ledger row: check the alerts now.
        state.hub.stock_moved(p);
        return Ok(Reply::Redirect(Redirect::to(format!(
            "/staff/{p}/stock/ingredients/{ingredient}?saved=true"
        ))));
    }
    let layout = Layout::new(&visitor, &csrf);
    let page = page(
        state,
        &manager,
        ingredient,
        None,
        layout,
        Some(raw),
        errors,
        false,
    )
    .await?;
    Ok(Reply::Invalid(page))
}
