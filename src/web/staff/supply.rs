//! The manager's stock forms: a supplier delivery of several ingredients, an adjustment or a
//! waste with its reason, and an inventory count (its variance shown before it is applied).
//! Quantities are typed in the ingredient's unit, or in kg, cl or l. Each form is one
//! transaction of the stock service; a refused form says why next to the field and writes
//! nothing. The inventory count is in `count.rs`.

use super::views::stock::{form_lines, Typed};
use super::views::stock_forms::{done, levels_of, quantities, refusal, take_lines};
use crate::domain::ids::{IngredientId, InvalidId, PizzeriaId};
use crate::domain::stock::MovementReason;
use crate::domain::supply::parse_quantity;
use crate::domain::text::{optional_text, parse_text, Label};
use crate::models::stock::Context;
use crate::models::stock_view::IngredientLevel;
use crate::services::stock::{self as service, manager as stock_manager, Need};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_delivery, save_delivery, show_adjust, save_adjust]
}

const NOTE: Label = Label::one("Le bon de livraison");
const REASON: Label = Label::one("Le motif");

async fn delivery_page(
    state: &AppState,
    manager: &Manager,
    layout: Layout,
    typed: &Typed,
    errors: &FieldErrors,
) -> AppResult<Template> {
    let (pizzeria, levels) = levels_of(state, manager).await?;
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        lines: form_lines(&levels, "qty", typed, errors),
        note: typed.get("note").cloned().unwrap_or_default(),
        errors,
        problem: errors.first(),
    };
    Ok(Template::render("staff/stock_delivery", ctx))
}

#[get("/<_p>/stock/delivery")]
async fn show_delivery(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let layout = Layout::new(&visitor, &csrf);
    delivery_page(
        state,
        &manager,
        layout,
        &Typed::new(),
        &FieldErrors::default(),
    )
    .await
}

#[post("/<_p>/stock/delivery", data = "<form>")]
async fn save_delivery(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let mut typed = take_lines(&mut form, "qty");
    let note_raw = form.text("note");
    typed.insert("note".into(), note_raw.clone());
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let (_, levels) = levels_of(state, &manager).await?;
    let lines = quantities(&levels, &typed, "qty", &mut errors);
    let note = errors
        .check("note", optional_text(&note_raw, NOTE, 200))
        .flatten();
    for (i, qty) in &lines {
        if *qty == 0 {
            errors.add(
                &format!("qty[{i}]"),
                "Une livraison apporte au moins une unité.",
            );
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.add("form", "Indiquez au moins une quantité livrée.");
    }
    if errors.is_empty() {
        let (p, user) = (manager.0.pizzeria, manager.0.user);
        let needs: Vec<Need> = lines
            .iter()
            .map(|&(ingredient, qty)| Need { ingredient, qty })
            .collect();
        let saved = state
            .db
            .run(move |c| {
                let ctx = Context {
                    order: None,
                    user: Some(user),
                    note: note.as_deref(),
                };
                stock_manager::receive_many(c, p, &needs, ctx)
            })
            .await?;
        match saved {
            Ok(()) => {
                state.hub.stock_changed(p);
                return Ok(done(p, "delivery"));
            }
            Err(e) => refusal(e, |i| format!("qty[{i}]"), &mut errors)?,
        }
    }
    let layout = Layout::new(&visitor, &csrf);
    Ok(Reply::Invalid(
        delivery_page(state, &manager, layout, &typed, &errors).await?,
    ))
}

async fn adjust_page(
    state: &AppState,
    manager: &Manager,
    layout: Layout,
    typed: &Typed,
    errors: &FieldErrors,
) -> AppResult<Template> {
    let (pizzeria, levels) = levels_of(state, manager).await?;
    let ingredients: Vec<_> = levels
        .iter()
        .map(|l| context! { id: l.id.0.to_string(), name: &l.name, on_hand: l.unit.show(l.on_hand), unit: l.unit.label() })
        .collect();
    let get = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        ingredients,
        units: ["g", "kg", "ml", "cl", "l", "piece"],
        values: context! { ingredient: get("ingredient"), kind: get("kind"), qty: get("qty"), unit: get("unit"), reason: get("reason") },
        errors,
        problem: errors.first(),
    };
    Ok(Template::render("staff/stock_adjust", ctx))
}

#[get("/<_p>/stock/adjust?<ingredient>")]
async fn show_adjust(
    _p: Result<PizzeriaId, InvalidId>,
    ingredient: Option<i64>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let mut typed = Typed::new();
    typed.insert("kind".into(), "waste".into());
    if let Some(i) = ingredient {
        typed.insert("ingredient".into(), i.to_string());
    }
    let layout = Layout::new(&visitor, &csrf);
    adjust_page(state, &manager, layout, &typed, &FieldErrors::default()).await
}

/// The adjustment a form asks for: (ingredient, signed delta, reason), or its errors.
fn parse_adjustment(
    levels: &[IngredientLevel],
    typed: &Typed,
    errors: &mut FieldErrors,
) -> Option<(IngredientId, i64, MovementReason, String)> {
    let get = |k: &str| typed.get(k).map_or("", String::as_str);
    let kind = match get("kind") {
        "adjustment" => Some(MovementReason::Adjustment),
        "waste" => Some(MovementReason::Waste),
        _ => None,
    };
    if kind.is_none() {
        errors.add("kind", "Choisissez : correction ou perte.");
    }
    let level = get("ingredient")
        .parse::<i64>()
        .ok()
        .and_then(|id| levels.iter().find(|l| l.id.0 == id));
    if level.is_none() {
        errors.add("ingredient", "Choisissez un ingrédient de la liste.");
    }
    let reason = errors.check("reason", parse_text(get("reason"), REASON, 200));
    let (level, kind) = (level?, kind?);
    let waste = kind == MovementReason::Waste;
    let qty = errors.check(
        "qty",
        parse_quantity(get("qty"), get("unit"), level.unit, !waste),
    )?;
    if qty == 0 {
        errors.add("qty", "La quantité ne peut pas être nulle.");
        return None;
    }
    let delta = if waste { -qty } else { qty };
    Some((level.id, delta, kind, reason?))
}

#[post("/<_p>/stock/adjust", data = "<form>")]
async fn save_adjust(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let typed: Typed = ["ingredient", "kind", "qty", "unit", "reason"]
        .iter()
        .map(|k| (k.to_string(), form.text(k)))
        .collect();
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let (_, levels) = levels_of(state, &manager).await?;
    let parsed = parse_adjustment(&levels, &typed, &mut errors);
    if let (Some((ingredient, delta, kind, reason)), true) = (parsed, errors.is_empty()) {
        let (p, user) = (manager.0.pizzeria, manager.0.user);
        let saved = state
            .db
            .run(move |c| {
                let ctx = Context {
                    order: None,
                    user: Some(user),
                    note: Some(&reason),
                };
                service::adjust(c, p, ingredient, delta, kind, ctx)
            })
            .await?;
        match saved {
            Ok(_) => {
                state.hub.stock_changed(p);
                return Ok(done(p, kind.as_str()));
            }
            Err(e) => refusal(e, |_| "qty".to_string(), &mut errors)?,
        }
    }
    let layout = Layout::new(&visitor, &csrf);
    Ok(Reply::Invalid(
        adjust_page(state, &manager, layout, &typed, &errors).await?,
    ))
}
