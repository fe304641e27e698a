//! The direction's pizzerias: every pizzeria (closed ones too); a new one, its details and
//! weekly hours, its exceptional closures, and whether it takes orders. Its managers are
//! created from its team page, which the direction reaches too.

use super::views::pizzeria::pizzeria_of;
use super::views::pizzeria::{read_pizzeria, PizzeriaTyped};
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::sales::parse_day;
use crate::domain::text::{parse_text, Label};
use crate::models::pizzeria::{self as rows, Pizzeria};
use crate::models::pizzeria_admin;
use crate::services::pizzerias::{self, PizzeriaError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

pub fn routes() -> Vec<Route> {
    routes![
        show_pizzerias,
        new_pizzeria,
        create_pizzeria,
        show_pizzeria,
        save_pizzeria,
        switch_pizzeria,
        add_closure,
        remove_closure
    ]
}

#[derive(Serialize)]
struct ListRow {
    id: i64,
    name: String,
    address: String,
    phone: String,
    active: bool,
}

#[get("/pizzerias?<done>")]
async fn show_pizzerias(
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let rows: Vec<ListRow> = state
        .db
        .run(pizzeria_admin::all)
        .await??
        .into_iter()
        .map(|p| ListRow {
            id: p.id.0,
            address: format!("{}, {} {}", p.street, p.postal_code, p.city),
            name: p.name,
            phone: p.phone,
            active: p.active,
        })
        .collect();
    let notice = match done {
        Some("created") => {
            Some("Pizzeria ouverte : son stock est à 0, toute la carte est en ligne.")
        }
        Some("saved") => Some("Pizzeria enregistrée."),
        _ => None,
    };
    let ctx = context! { layout: Layout::new(&visitor, &csrf), rows, notice };
    Ok(Template::render("admin/pizzerias", ctx))
}

#[derive(Serialize)]
struct ClosureRow {
    id: i64,
    day: String,
    reason: String,
}

/// The form page: a new pizzeria (`id` None) or one of them, with its closures.
async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    id: Option<PizzeriaId>,
    typed: &PizzeriaTyped,
    errors: &FieldErrors,
) -> AppResult<Template> {
    let (pizzeria, closures) = match id {
        None => (None, Vec::new()),
        Some(id) => {
            let today = crate::domain::hours::paris(chrono::Utc::now()).date();
            let (p, c) = state
                .db
                .run(move |c| {
                    let p = Pizzeria::find(c, id)?;
                    Ok::<_, diesel::result::Error>((
                        p,
                        pizzeria_admin::closures_from(c, id, today)?,
                    ))
                })
                .await??;
            let p = p.ok_or_else(unknown)?;
            let closures: Vec<ClosureRow> = c
                .into_iter()
                .map(|(id, day, reason)| ClosureRow {
                    id,
                    day: crate::web::dashboard::french_day(day),
                    reason,
                })
                .collect();
            (
                Some(context! { id: p.id.0, active: p.active, name: p.name }),
                closures,
            )
        }
    };
    let fields: Vec<_> = [
        ("name", "Nom", 120, &typed.name),
        ("street", "Adresse", 200, &typed.street),
        ("postal_code", "Code postal", 5, &typed.postal_code),
        ("city", "Ville", 80, &typed.city),
        ("phone", "Téléphone", 20, &typed.phone),
    ]
    .into_iter()
    .map(|(name, label, max, value)| {
        context! { name, label, max, value, error: errors.get(name) }
    })
    .collect();
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        pizzeria,
        closures,
        fields,
        t: typed,
        errors,
    };
    Ok(Template::render("admin/pizzeria", ctx))
}

/// The form of a pizzeria as stored.
async fn typed_of(state: &AppState, p: Pizzeria) -> AppResult<PizzeriaTyped> {
    let id = p.id;
    let slots = state
        .db
        .run(move |c| rows::weekly_slots(c, &[id]))
        .await??
        .remove(&id)
        .unwrap_or_default();
    Ok(PizzeriaTyped {
        name: p.name,
        street: p.street,
        postal_code: p.postal_code,
        city: p.city,
        phone: p.phone,
        week: Vec::new(),
    }
    .with_week(Some(&slots)))
}

fn unknown() -> AppError {
    AppError::NotFound("Cette pizzeria n'existe pas.".into())
}

#[get("/pizzerias/new")]
async fn new_pizzeria(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let typed = PizzeriaTyped {
        city: "Paris".into(),
        ..PizzeriaTyped::default()
    }
    .with_week(None);
    form_page(
        state,
        &visitor,
        &csrf,
        None,
        &typed,
        &FieldErrors::default(),
    )
    .await
}

fn refusal(e: PizzeriaError, errors: &mut FieldErrors) -> AppResult<()> {
    match e {
        PizzeriaError::DuplicateName => errors.add("name", e.to_string()),
        PizzeriaError::AlreadyClosed => errors.add("day", e.to_string()),
        PizzeriaError::Unknown => return Err(unknown()),
        PizzeriaError::Db(e) => return Err(e.into()),
    }
    Ok(())
}

async fn save(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    id: Option<PizzeriaId>,
    form: Posted,
) -> AppResult<Reply> {
    let mut errors = FieldErrors::default();
    let (typed, read) = read_pizzeria(form.0, &mut errors);
    if let Some((details, slots)) = read {
        let saved = state
            .db
            .run(move |c| match id {
                None => pizzerias::create(c, &details, &slots).map(|_| "created"),
                Some(id) => pizzerias::update(c, id, &details, &slots).map(|()| "saved"),
            })
            .await?;
        match saved {
            Ok(done) => {
                return Ok(Reply::Redirect(Redirect::to(format!(
                    "/admin/pizzerias?done={done}"
                ))))
            }
            Err(e) => refusal(e, &mut errors)?,
        }
    }
    let page = form_page(state, visitor, csrf, id, &typed, &errors).await?;
    Ok(Reply::Invalid(page))
}

#[post("/pizzerias", data = "<form>")]
async fn create_pizzeria(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    save(state, &visitor, &csrf, None, form).await
}

#[get("/pizzerias/<pizzeria>")]
async fn show_pizzeria(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let p = pizzeria_of(state, pizzeria).await?;
    let id = p.id;
    let typed = typed_of(state, p).await?;
    form_page(
        state,
        &visitor,
        &csrf,
        Some(id),
        &typed,
        &FieldErrors::default(),
    )
    .await
}

#[post("/pizzerias/<pizzeria>", data = "<form>")]
async fn save_pizzeria(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let p = pizzeria_of(state, pizzeria).await?;
    save(state, &visitor, &csrf, Some(p.id), form).await
}

/// `active=true` takes orders again, `active=false` takes no more.
#[post("/pizzerias/<pizzeria>/active", data = "<form>")]
async fn switch_pizzeria(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Redirect> {
    let p = pizzeria_of(state, pizzeria).await?;
    let mut form = form.0;
    let active = match form.take("active").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(AppError::Invalid("Choisissez : ouverte ou fermée.".into())),
    };
    form.expect_empty()?;
    let id = p.id;
    state
        .db
        .run(move |c| pizzerias::set_active(c, id, active))
        .await?
        .map_err(|e| match e {
            PizzeriaError::Db(e) => e.into(),
            e => AppError::NotFound(e.to_string()),
        })?;
    state.hub.menus.remove(id);
    Ok(Redirect::to(format!("/admin/pizzerias/{}", id.0)))
}

#[post("/pizzerias/<pizzeria>/closures", data = "<form>")]
async fn add_closure(
    pizzeria: Result<PizzeriaId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let p = pizzeria_of(state, pizzeria).await?;
    let mut form = form.0;
    let (day_typed, reason_typed) = (form.text("day"), form.text("reason"));
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let today = crate::domain::hours::paris(chrono::Utc::now()).date();
    let day = match parse_day(&day_typed) {
        Some(d) if d < today => {
            errors.add("day", "Ce jour est passé.");
            None
        }
        Some(d) => Some(d),
        None => {
            errors.add("day", "Indiquez une date, par exemple 25/12/2026.");
            None
        }
    };
    let reason = errors.check(
        "reason",
        parse_text(&reason_typed, Label::one("Le motif"), 200),
    );
    if let (Some(day), Some(reason), true) = (day, reason, errors.is_empty()) {
        let id = p.id;
        let added = state
            .db
            .run(move |c| pizzerias::add_closure(c, id, day, &reason))
            .await?;
        match added {
            Ok(()) => {
                state.hub.menus.remove(id);
                return Ok(Reply::Redirect(Redirect::to(format!(
                    "/admin/pizzerias/{}",
                    id.0
                ))));
            }
            Err(e) => refusal(e, &mut errors)?,
        }
    }
    let id = p.id;
    let typed = typed_of(state, p).await?;
    let page = form_page(state, &visitor, &csrf, Some(id), &typed, &errors).await?;
    Ok(Reply::Invalid(page))
}

#[post("/pizzerias/<pizzeria>/closures/<closure>/delete", data = "<form>")]
async fn remove_closure(
    pizzeria: Result<PizzeriaId, InvalidId>,
    closure: i64,
    _admin: GroupAdmin,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Redirect> {
    let p = pizzeria_of(state, pizzeria).await?;
    form.0.expect_empty()?;
    let id = p.id;
    let removed = state
        .db
        .run(move |c| pizzerias::remove_closure(c, id, closure))
        .await?
        .map_err(|e| match e {
            PizzeriaError::Db(e) => AppError::from(e),
            e => AppError::NotFound(e.to_string()),
        })?;
    if !removed {
        return Err(AppError::NotFound("Cette fermeture n'existe pas.".into()));
    }
    state.hub.menus.remove(id);
    Ok(Redirect::to(format!("/admin/pizzerias/{}", id.0)))
}
