//! The pizzeria's own pages, mounted at `/staff`: every path starts with the pizzeria's id,
//! which the guards take from there and only there. Each handler takes the guard of the role
//! it serves (`Pizzaiolo`, `Driver`, `Counter`, `Manager`, or `PizzeriaStaff` for any member)
//! and uses the guard's pizzeria, never another id from the request.

use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::models::pizzeria::Pizzeria;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::guards::{Csrf, PizzeriaStaff, Visitor};
use crate::web::layout::Layout;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_staff_home]
}

/// The team's home page of a pizzeria. The path's id is the guard's: `staff.pizzeria`.
#[get("/<_pizzeria>")]
async fn show_staff_home(
    _pizzeria: Result<PizzeriaId, InvalidId>,
    staff: PizzeriaStaff,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let id = staff.pizzeria;
    let pizzeria = state
        .db
        .run(move |c| Pizzeria::find_active(c, id))
        .await??
        .ok_or_else(|| AppError::NotFound("Cette pizzeria n'existe pas.".into()))?;
    let layout = Layout::new(&visitor, &csrf);
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        staff: context! { name: staff.name, role: staff.access.label() },
    };
    Ok(Template::render("staff/home", ctx))
}
