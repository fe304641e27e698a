//! The manager's inventory count: counted quantities typed per ingredient, their variance
//! against the expected stock shown (quantity and share), then applied in one transaction:
//! each on-hand becomes what was counted, the ledger keeps the difference.

use super::views::stock::{form_lines, Typed};
use super::views::stock_forms::{done, levels_of, quantities, refusal, take_lines};
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::supply;
use crate::models::stock::Context;
use crate::services::stock::manager as stock_manager;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_count, save_count]
}

async fn count_page(
    state: &AppState,
    manager: &Manager,
    layout: Layout,
    typed: &Typed,
    errors: &FieldErrors,
    preview: bool,
) -> AppResult<Template> {
    let (pizzeria, levels) = levels_of(state, manager).await?;
    let mut scratch = FieldErrors::default();
    let counted = quantities(&levels, typed, "counted", &mut scratch);
    let variances: Vec<_> = counted
        .iter()
        .filter_map(|(i, n)| {
            let l = levels.iter().find(|l| l.id == *i)?;
            let (delta, share) = supply::variance(l.on_hand, *n);
            let share = share.map(|s| format!("{s:+.1} %").replace('.', ","));
            Some(context! { name: &l.name, expected: l.unit.show(l.on_hand), counted: l.unit.show(*n), delta: l.unit.show(delta), share, off: delta != 0 })
        })
        .collect();
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        lines: form_lines(&levels, "counted", typed, errors),
        variances,
        preview: preview && errors.is_empty(),
        errors,
        problem: errors.first(),
    };
    Ok(Template::render("staff/stock_count", ctx))
}

#[get("/<_p>/stock/count")]
async fn show_count(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let layout = Layout::new(&visitor, &csrf);
    count_page(
        state,
        &manager,
        layout,
        &Typed::new(),
        &FieldErrors::default(),
        false,
    )
    .await
}

#[post("/<_p>/stock/count", data = "<form>")]
async fn save_count(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let typed = take_lines(&mut form, "counted");
    let action = form.text("action");
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let (_, levels) = levels_of(state, &manager).await?;
    let counts = quantities(&levels, &typed, "counted", &mut errors);
    if counts.is_empty() && errors.is_empty() {
        errors.add("form", "Indiquez au moins une quantité comptée.");
    }
    let apply = match action.as_str() {
        "apply" => true,
        "preview" => false,
        _ => {
            errors.add("form", "Choisissez : voir les écarts ou appliquer.");
            false
        }
    };
    if apply && errors.is_empty() {
        let (p, user) = (manager.0.pizzeria, manager.0.user);
        let saved = state
            .db
            .run(move |c| {
                let ctx = Context {
                    order: None,
                    user: Some(user),
                    note: None,
                };
                stock_manager::count_many(c, p, &counts, ctx)
            })
            .await?;
        match saved {
            Ok(_) => {
                state.hub.stock_changed(p);
                return Ok(done(p, "count"));
            }
            Err(e) => refusal(e, |i| format!("counted[{i}]"), &mut errors)?,
        }
    }
    let layout = Layout::new(&visitor, &csrf);
    let page = count_page(state, &manager, layout, &typed, &errors, !apply).await?;
    Ok(match errors.is_empty() {
        true => Reply::Html(page),
        false => Reply::Invalid(page),
    })
}
