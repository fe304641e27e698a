//! The manager's settings of the pizzeria's pace: minutes per pizza, ovens, the delivery run,
//! when a later order enters the queue, when a ticket turns amber then red.

use super::views::{changed, pizzeria_of};
use crate::domain::floor::{Pace, PACE_FIELDS};
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::models::floor as rows;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use std::collections::BTreeMap;

pub fn routes() -> Vec<Route> {
    routes![show_settings, save_settings]
}

fn values_of(p: &Pace) -> BTreeMap<String, String> {
    let all = [
        p.minutes_per_pizza,
        p.ovens,
        p.delivery_minutes,
        p.later_lead_minutes,
        p.amber_after_minutes,
        p.red_after_minutes,
    ];
    PACE_FIELDS
        .iter()
        .zip(all)
        .map(|((f, ..), v)| (f.to_string(), v.to_string()))
        .collect()
}

async fn page(
    state: &AppState,
    manager: &Manager,
    visitor: &Visitor,
    csrf: &Csrf,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    saved: bool,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let fields: Vec<_> = PACE_FIELDS
        .iter()
        .map(|(name, label, min, max)| {
            context! { name, label, min, max, value: values.get(*name).cloned().unwrap_or_default(), error: errors.get(name) }
        })
        .collect();
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        fields,
        saved,
        problem: errors.first(),
    };
    Ok(Template::render("staff/settings", ctx))
}

#[get("/<_p>/settings?<saved>")]
async fn show_settings(
    _p: Result<PizzeriaId, InvalidId>,
    saved: Option<bool>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let p = manager.0.pizzeria;
    let pace = state
        .db
        .run(move |c| rows::pace(c, p))
        .await??
        .unwrap_or_default();
    page(
        state,
        &manager,
        &visitor,
        &csrf,
        values_of(&pace),
        FieldErrors::default(),
        saved.unwrap_or(false),
    )
    .await
}

#[post("/<_p>/settings", data = "<form>")]
async fn save_settings(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let values: BTreeMap<String, String> = PACE_FIELDS
        .iter()
        .map(|(f, ..)| (f.to_string(), form.text(f)))
        .collect();
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let parsed = Pace::parse(|f| values.get(f).cloned());
    let pace = match parsed {
        Ok(pace) if errors.is_empty() => pace,
        Ok(_) => {
            return Ok(Reply::Invalid(
                page(state, &manager, &visitor, &csrf, values, errors, false).await?,
            ))
        }
        Err(list) => {
            for (field, message) in list {
                errors.add(&field, message);
            }
            return Ok(Reply::Invalid(
                page(state, &manager, &visitor, &csrf, values, errors, false).await?,
            ));
        }
    };
    let p = manager.0.pizzeria;
    let by = super::views::member(&manager.0);
    state
        .db
        .run(move |c| crate::services::floor::set_pace(c, by, &pace))
        .await??;
    changed(state, &manager.0);
    Ok(Reply::Redirect(Redirect::to(format!(
        "/staff/{p}/settings?saved=true"
    ))))
}
