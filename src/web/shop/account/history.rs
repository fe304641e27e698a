//! A customer's past orders, newest first.

use crate::models::order;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::format::french_time;
use crate::web::guards::{Csrf, Customer, Visitor};
use crate::web::layout::Layout;
use rocket::serde::Serialize;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![list_orders]
}

#[derive(Serialize)]
struct OrderSummary {
    token: String,
    number: i64,
    placed_at: String,
    status: &'static str,
    total: String,
}

#[get("/account/orders")]
async fn list_orders(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
) -> AppResult<Template> {
    let user = customer.user;
    let rows = state
        .db
        .run(move |c| order::of_user(c, user, 100))
        .await??;
    let orders: Vec<OrderSummary> = rows
        .into_iter()
        .map(|o| OrderSummary {
            number: o.id.0,
            placed_at: french_time(o.created_at),
            status: o.status.label(),
            total: o.total.to_string(),
            token: o.token.to_string(),
        })
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    Ok(Template::render(
        "account/orders",
        context! { layout, orders },
    ))
}
