//! The pizzeria's own pages, mounted at `/staff`: every path starts with the pizzeria's id,
//! which the guards take from there and only there. Each handler takes the guard of the role
//! it serves (`Pizzaiolo`, `Driver`, `Counter`, `Manager`, or `PizzeriaStaff` for any member)
//! and uses the guard's pizzeria, never another id from the request.

mod count;
mod counter;
mod dashboard;
mod delivery;
mod kitchen;
mod ledger;
mod menu;
mod settings;
mod stock;
mod supply;
mod team;
mod views;

use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::guards::{Csrf, PizzeriaStaff, Visitor};
use crate::web::layout::Layout;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    let mut all = routes![show_staff_home];
    all.extend(kitchen::routes());
    all.extend(delivery::routes());
    all.extend(counter::routes());
    all.extend(settings::routes());
    all.extend(stock::routes());
    all.extend(supply::routes());
    all.extend(count::routes());
    all.extend(ledger::routes());
    all.extend(menu::routes());
    all.extend(team::routes());
    all.extend(dashboard::routes());
    all
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
    let pizzeria = views::pizzeria_of(state, &staff).await?;
    let layout = Layout::new(&visitor, &csrf);
    use crate::domain::staff::StaffRole;
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        staff: context! { name: &staff.name, role: staff.access.label() },
        screens: context! {
            kitchen: staff.access.covers(StaffRole::Pizzaiolo),
            delivery: staff.access.covers(StaffRole::Driver),
            counter: staff.access.covers(StaffRole::Counter),
            settings: staff.access.covers(StaffRole::Manager),
            stock: staff.access.covers(StaffRole::Manager),
            dashboard: staff.access.covers(StaffRole::Manager),
        },
    };
    Ok(Template::render("staff/home", ctx))
}
