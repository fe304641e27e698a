//! The direction names a pizzeria's managers: a new manager (who chooses their password through
//! the link sent to them), or a member of any team made manager here.

use super::views::pizzeria::pizzeria_of;
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::staff::StaffRole;
use crate::models::pizzeria::Pizzeria;
use crate::models::staff;
use crate::services::team::{self, Newcomer, TeamError};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::fields::{self, take_values};
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_managers, add_manager, appoint_manager]
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    p: &Pizzeria,
    typed: (&str, &str, &str),
    errors: &FieldErrors,
    done: Option<&str>,
) -> AppResult<Template> {
    let id = p.id;
    let managers: Vec<(String, String)> = state
        .db
        .run(move |c| staff::managers_of(c, id))
        .await??
        .into_iter()
        .map(|(_, email, name)| (name, email))
        .collect();
    let notice = match done {
        Some("added") => {
            Some("Gérant créé : un lien pour choisir son mot de passe lui est envoyé.")
        }
        Some("appointed") => Some("C'est désormais un gérant de cette pizzeria."),
        _ => None,
    };
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        pizzeria: context! { id: p.id.0, name: &p.name },
        managers,
        name: typed.0,
        email: typed.1,
        existing: typed.2,
        errors,
        notice,
    };
    Ok(Template::render("admin/managers", ctx))
}

#[get("/pizzerias/<pizzeria>/managers?<done>")]
async fn show_managers(
    pizzeria: Result<PizzeriaId, InvalidId>,
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let p = pizzeria_of(state, pizzeria).await?;
    let errors = FieldErrors::default();
    page(state, &visitor, &csrf, &p, ("", "", ""), &errors, done).await
}

fn back(p: &Pizzeria, done: &str) -> Reply {
    Reply::Redirect(Redirect::to(format!(
        "/admin/pizzerias/{}/managers?done={done}",
        p.id.0
    )))
}

#[post("/pizzerias/<pizzeria>/managers", data = "<form>")]
async fn add_manager(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let p = pizzeria_of(state, pizzeria).await?;
    let mut form = form.0;
    let values = take_values(&mut form, &["name", "email"]);
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let name = fields::name(&values, &mut errors);
    let email = fields::email(&values, &mut errors);
    if let (Some(full_name), Some(email), true) = (name, email, errors.is_empty()) {
        let id = p.id;
        let who = Newcomer {
            full_name,
            email,
            role: StaffRole::Manager,
        };
        match state.db.run(move |c| team::add_member(c, id, &who)).await? {
            Ok(_) => return Ok(back(&p, "added")),
            Err(TeamError::EmailTaken) => errors.add("email", TeamError::EmailTaken.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    let typed = (
        values.get("name").map_or("", String::as_str),
        values.get("email").map_or("", String::as_str),
        "",
    );
    let html = page(state, &visitor, &csrf, &p, typed, &errors, None).await?;
    Ok(Reply::Invalid(html))
}

#[post("/pizzerias/<pizzeria>/managers/appoint", data = "<form>")]
async fn appoint_manager(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let p = pizzeria_of(state, pizzeria).await?;
    let mut form = form.0;
    let typed = form.text("existing");
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let email = errors.check("existing", crate::domain::contact::parse_email(&typed));
    if let (Some(email), true) = (email, errors.is_empty()) {
        let id = p.id;
        match state
            .db
            .run(move |c| team::appoint_manager(c, id, &email))
            .await?
        {
            Ok(_) => return Ok(back(&p, "appointed")),
            Err(TeamError::NotStaff) => errors.add("existing", TeamError::NotStaff.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    let html = page(state, &visitor, &csrf, &p, ("", "", &typed), &errors, None).await?;
    Ok(Reply::Invalid(html))
}
