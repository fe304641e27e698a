//! The group's direction, mounted at `/admin`: every pizzeria. Each handler takes `GroupAdmin`.

use crate::models::pizzeria::Pizzeria;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::Layout;
use rocket::serde::Serialize;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

mod dashboard;
mod emails;
mod exports;
mod ingredients;
mod managers;
mod payments;
mod pizzerias;
mod products;
mod views;

pub fn routes() -> Vec<Route> {
    let mut all = routes![show_admin_home];
    all.extend(dashboard::routes());
    all.extend(exports::routes());
    all.extend(emails::routes());
    all.extend(payments::routes());
    all.extend(ingredients::routes());
    all.extend(products::routes());
    all.extend(pizzerias::routes());
    all.extend(managers::routes());
    all
}

#[derive(Serialize)]
struct PizzeriaLink {
    id: i64,
    name: String,
}

/// The direction's home page: the pizzerias of the group, each with its team's pages.
#[get("/")]
async fn show_admin_home(
    admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let pizzerias: Vec<PizzeriaLink> = state
        .db
        .run(Pizzeria::list_active)
        .await??
        .into_iter()
        .map(|p| PizzeriaLink {
            id: p.id.0,
            name: p.name,
        })
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    let ctx = context! { layout, admin: context! { name: admin.name }, pizzerias };
    Ok(Template::render("admin/home", ctx))
}
