//! The manager's team page: who works at the pizzeria, with which role; a new member (who
//! receives a link to choose their own password), a role changed, an account deactivated
//! (signed out at once) or brought back, a link sent again.

use super::views::pizzeria_of;
use crate::domain::ids::{InvalidId, PizzeriaId, UserId};
use crate::domain::staff::StaffRole;
use crate::models::staff::{self as rows, TeamMember};
use crate::services::team::{self, Newcomer, TeamError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::fields::{self, take_values, Values};
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, Manager, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

pub fn routes() -> Vec<Route> {
    routes![
        show_team,
        add_member,
        change_role,
        change_active,
        resend_link
    ]
}

#[derive(Serialize)]
struct MemberView {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    active: bool,
    me: bool,
}

fn view(m: TeamMember, me: UserId) -> MemberView {
    MemberView {
        id: m.user.0,
        name: m.full_name,
        email: m.email,
        role: m.role.as_str(),
        role_label: m.role.label(),
        active: m.active,
        me: m.user == me,
    }
}

fn roles() -> Vec<(&'static str, &'static str)> {
    StaffRole::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "added" => {
            "Compte créé : la personne reçoit un lien par e-mail pour choisir son mot de passe."
        }
        "role" => "Rôle changé.",
        "off" => "Compte désactivé : ses sessions sont terminées.",
        "on" => "Compte réactivé.",
        "link" => "Un nouveau lien lui a été envoyé.",
        _ => return None,
    })
}

async fn page(
    state: &AppState,
    manager: &Manager,
    layout: Layout,
    values: &Values,
    errors: &FieldErrors,
    done: Option<&str>,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &manager.0).await?;
    let p = pizzeria.id;
    let me = manager.0.user;
    let members: Vec<MemberView> = state
        .db
        .run(move |c| rows::team_of(c, p))
        .await??
        .into_iter()
        .map(|m| view(m, me))
        .collect();
    let ctx = context! {
        layout,
        pizzeria: context! { id: p.0, name: pizzeria.name },
        members,
        roles: roles(),
        values,
        errors,
        problem: errors.first(),
        notice: notice(done),
        hours: crate::services::accounts::INVITATION_HOURS,
    };
    Ok(Template::render("staff/team", ctx))
}

#[get("/<_p>/team?<done>")]
async fn show_team(
    _p: Result<PizzeriaId, InvalidId>,
    done: Option<&str>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let layout = Layout::new(&visitor, &csrf);
    let values = Values::new();
    page(
        state,
        &manager,
        layout,
        &values,
        &FieldErrors::default(),
        done,
    )
    .await
}

fn role_of(raw: &str, errors: &mut FieldErrors) -> Option<StaffRole> {
    let role = StaffRole::parse(raw);
    if role.is_none() {
        errors.add("role", "Choisissez un rôle de la liste.");
    }
    role
}

#[post("/<_p>/team", data = "<form>")]
async fn add_member(
    _p: Result<PizzeriaId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let values = take_values(&mut form, &["name", "email", "role"]);
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let name = fields::name(&values, &mut errors);
    let email = fields::email(&values, &mut errors);
    let role = role_of(values.get("role").map_or("", String::as_str), &mut errors);
    if let (Some(full_name), Some(email), Some(role), true) = (name, email, role, errors.is_empty())
    {
        let p = manager.0.pizzeria;
        let who = Newcomer {
            full_name,
            email,
            role,
        };
        match state.db.run(move |c| team::add_member(c, p, &who)).await? {
            Ok(_) => return Ok(done(p, "added")),
            Err(TeamError::EmailTaken) => errors.add("email", TeamError::EmailTaken.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    let layout = Layout::new(&visitor, &csrf);
    let page = page(state, &manager, layout, &values, &errors, None).await?;
    Ok(Reply::Invalid(page))
}

fn done(p: PizzeriaId, what: &str) -> Reply {
    Reply::Redirect(Redirect::to(format!("/staff/{p}/team?done={what}")))
}

fn member_id(id: Result<UserId, InvalidId>) -> AppResult<UserId> {
    id.map_err(|_| TeamError::NotInTeam.into())
}

#[post("/<_p>/team/<member>/role", data = "<form>")]
async fn change_role(
    _p: Result<PizzeriaId, InvalidId>,
    member: Result<UserId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Reply> {
    let member = member_id(member)?;
    let mut form = form.0;
    let raw = form.text("role");
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let role = role_of(&raw, &mut errors);
    errors.into_result()?;
    let role = role.ok_or_else(|| AppError::Invalid("Choisissez un rôle de la liste.".into()))?;
    let (p, by) = (manager.0.pizzeria, manager.0.user);
    state
        .db
        .run(move |c| team::set_role(c, p, by, member, role))
        .await??;
    Ok(done(p, "role"))
}

#[post("/<_p>/team/<member>/active", data = "<form>")]
async fn change_active(
    _p: Result<PizzeriaId, InvalidId>,
    member: Result<UserId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Reply> {
    let member = member_id(member)?;
    let mut form = form.0;
    let active = match form.text("active").as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    form.expect_empty()?;
    let active =
        active.ok_or_else(|| AppError::Invalid("Choisissez : activer ou désactiver.".into()))?;
    let (p, by) = (manager.0.pizzeria, manager.0.user);
    state
        .db
        .run(move |c| team::set_active(c, p, by, member, active))
        .await??;
    Ok(done(p, if active { "on" } else { "off" }))
}

#[post("/<_p>/team/<member>/invitation", data = "<form>")]
async fn resend_link(
    _p: Result<PizzeriaId, InvalidId>,
    member: Result<UserId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Reply> {
    let member = member_id(member)?;
    form.0.expect_empty()?;
    let p = manager.0.pizzeria;
    state
        .db
        .run(move |c| team::resend_invitation(c, p, member))
        .await??;
    Ok(done(p, "link"))
}
