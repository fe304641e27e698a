//! The direction's ingredients: every ingredient with its unit, the allergens it contains (the
//! 14 of the EU regulation) and the products that use it; a new ingredient, a name or allergens
//! changed, an unused one deleted.

use crate::domain::allergen::Allergen;
use crate::domain::ids::{IngredientId, InvalidId};
use crate::domain::stock::Unit;
use crate::domain::text::{parse_text, Label};
use crate::models::catalog_admin::{self, IngredientEntry};
use crate::services::catalog::{self, CatalogError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

pub fn routes() -> Vec<Route> {
    routes![
        show_ingredients,
        create_ingredient,
        show_ingredient,
        save_ingredient,
        delete_ingredient
    ]
}

const NAME: Label = Label::one("Le nom");

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    unit: &'static str,
    allergens: String,
    used_by: String,
    uses: usize,
}

fn row(i: &IngredientEntry) -> Row {
    Row {
        id: i.id.0,
        name: i.name.clone(),
        unit: i.unit.label(),
        allergens: i
            .allergens
            .iter()
            .map(|a| a.short())
            .collect::<Vec<_>>()
            .join(", "),
        used_by: i.used_by.join(", "),
        uses: i.used_by.len(),
    }
}

/// The 14 boxes, ticked as `ticked` says.
#[derive(Serialize)]
struct Choice {
    code: &'static str,
    label: &'static str,
    ticked: bool,
}

fn choices(ticked: &[Allergen]) -> Vec<Choice> {
    Allergen::ALL
        .iter()
        .map(|&a| Choice {
            code: a.as_str(),
            label: a.label(),
            ticked: ticked.contains(&a),
        })
        .collect()
}

fn units(chosen: &str) -> Vec<(&'static str, &'static str, bool)> {
    Unit::ALL
        .iter()
        .map(|u| (u.as_str(), u.label(), u.as_str() == chosen))
        .collect()
}

/// What an ingredient form says: its name and allergens (and, for a new one, its unit).
struct Typed {
    name: String,
    unit: String,
    allergens: Vec<Allergen>,
}

impl Typed {
    /// The form of an ingredient as stored.
    fn of(entry: &IngredientEntry) -> Typed {
        Typed {
            name: entry.name.clone(),
            unit: entry.unit.as_str().into(),
            allergens: entry.allergens.clone(),
        }
    }
}

fn read_form(mut form: RawForm, with_unit: bool, errors: &mut FieldErrors) -> Typed {
    let name = form.text("name");
    let unit = if with_unit {
        form.text("unit")
    } else {
        String::new()
    };
    let mut allergens = Vec::new();
    for (code, _) in form.take_indexed("allergen") {
        match Allergen::parse(&code) {
            Some(a) => allergens.push(a),
            None => errors.add("allergens", "Cet allergène n'est pas dans la liste."),
        }
    }
    form.finish(errors);
    Typed {
        name,
        unit,
        allergens,
    }
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "Ingrédient ajouté : il figure au stock de chaque pizzeria, à 0.",
        "saved" => {
            "Ingrédient enregistré : les menus et les fiches recettes affichent ses allergènes."
        }
        "deleted" => "Ingrédient supprimé.",
        _ => return None,
    })
}

async fn list_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    typed: &Typed,
    errors: &FieldErrors,
    done: Option<&str>,
) -> AppResult<Template> {
    let all = state.db.run(catalog_admin::ingredients).await??;
    let rows: Vec<Row> = all.iter().map(row).collect();
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        rows,
        name: &typed.name,
        units: units(&typed.unit),
        allergens: choices(&typed.allergens),
        errors,
        notice: notice(done),
    };
    Ok(Template::render("admin/ingredients", ctx))
}

#[get("/ingredients?<done>")]
async fn show_ingredients(
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let typed = Typed {
        name: String::new(),
        unit: "g".into(),
        allergens: Vec::new(),
    };
    list_page(
        state,
        &visitor,
        &csrf,
        &typed,
        &FieldErrors::default(),
        done,
    )
    .await
}

/// The name's message, or the ingredient's name as it is kept.
fn check_name(typed: &Typed, errors: &mut FieldErrors) -> Option<String> {
    errors.check("name", parse_text(&typed.name, NAME, 120))
}

fn refusal(e: CatalogError, errors: &mut FieldErrors) -> AppResult<()> {
    match e {
        CatalogError::DuplicateName | CatalogError::DuplicateProduct => {
            errors.add("name", e.to_string())
        }
        CatalogError::InUse(_) | CatalogError::HasHistory(_) => errors.add("form", e.to_string()),
        CatalogError::UnknownIngredient | CatalogError::UnknownProduct => {
            return Err(AppError::NotFound(e.to_string()))
        }
        CatalogError::Db(e) => return Err(e.into()),
    }
    Ok(())
}

#[post("/ingredients", data = "<form>")]
async fn create_ingredient(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let mut errors = FieldErrors::default();
    let typed = read_form(form.0, true, &mut errors);
    let name = check_name(&typed, &mut errors);
    let unit = Unit::parse(&typed.unit);
    if unit.is_none() {
        errors.add("unit", "Choisissez l'unité : g, ml ou pièce(s).");
    }
    if let (Some(name), Some(unit), true) = (name, unit, errors.is_empty()) {
        let allergens = typed.allergens.clone();
        let made = state
            .db
            .run(move |c| catalog::create_ingredient(c, &name, unit, &allergens))
            .await?;
        match made {
            Ok(_) => {
                return Ok(Reply::Redirect(Redirect::to(
                    "/admin/ingredients?done=created",
                )))
            }
            Err(e) => refusal(e, &mut errors)?,
        }
    }
    Ok(Reply::Invalid(
        list_page(state, &visitor, &csrf, &typed, &errors, None).await?,
    ))
}

fn unknown() -> AppError {
    AppError::NotFound("Cet ingrédient n'existe pas.".into())
}

async fn entry_of(
    state: &AppState,
    id: Result<IngredientId, InvalidId>,
) -> AppResult<IngredientEntry> {
    let id = id.map_err(|_| unknown())?;
    state
        .db
        .run(move |c| catalog_admin::ingredient(c, id))
        .await??
        .ok_or_else(unknown)
}

fn edit_page(
    visitor: &Visitor,
    csrf: &Csrf,
    entry: &IngredientEntry,
    typed: &Typed,
    errors: &FieldErrors,
) -> Template {
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        ingredient: row(entry),
        name: &typed.name,
        allergens: choices(&typed.allergens),
        errors,
    };
    Template::render("admin/ingredient", ctx)
}

#[get("/ingredients/<ingredient>")]
async fn show_ingredient(
    ingredient: Result<IngredientId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let entry = entry_of(state, ingredient).await?;
    let typed = Typed::of(&entry);
    Ok(edit_page(
        &visitor,
        &csrf,
        &entry,
        &typed,
        &FieldErrors::default(),
    ))
}

#[post("/ingredients/<ingredient>", data = "<form>")]
async fn save_ingredient(
    ingredient: Result<IngredientId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let entry = entry_of(state, ingredient).await?;
    let mut errors = FieldErrors::default();
    let typed = read_form(form.0, false, &mut errors);
    let name = check_name(&typed, &mut errors);
    if let (Some(name), true) = (name, errors.is_empty()) {
        let (id, allergens) = (entry.id, typed.allergens.clone());
        let saved = state
            .db
            .run(move |c| catalog::update_ingredient(c, id, &name, &allergens))
            .await?;
        match saved {
            Ok(()) => {
                return Ok(Reply::Redirect(Redirect::to(
                    "/admin/ingredients?done=saved",
                )));
            }
            Err(e) => refusal(e, &mut errors)?,
        }
    }
    Ok(Reply::Invalid(edit_page(
        &visitor, &csrf, &entry, &typed, &errors,
    )))
}

#[post("/ingredients/<ingredient>/delete", data = "<form>")]
async fn delete_ingredient(
    ingredient: Result<IngredientId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let entry = entry_of(state, ingredient).await?;
    form.0.expect_empty()?;
    let id = entry.id;
    let deleted = state
        .db
        .run(move |c| catalog::remove_ingredient(c, id))
        .await?;
    let mut errors = FieldErrors::default();
    match deleted {
        Ok(_) => {
            return Ok(Reply::Redirect(Redirect::to(
                "/admin/ingredients?done=deleted",
            )))
        }
        Err(e) => refusal(e, &mut errors)?,
    }
    let typed = Typed::of(&entry);
    Ok(Reply::Conflict(edit_page(
        &visitor, &csrf, &entry, &typed, &errors,
    )))
}
