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
    number: String,
    pizzeria: String,
    placed_at: String,
    status: &'static str,
    total: String,
    lines: Vec<String>,
}

#[get("/account/orders")]
async fn list_orders(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
) -> AppResult<Template> {
    let user = customer.user;
    let past = state
        .db
        .run(move |c| order::history_of(c, user, 100))
        .await??;
    let orders: Vec<OrderSummary> = past
        .into_iter()
        .map(|p| OrderSummary {
            number: p.order.number_label(),
            pizzeria: p.pizzeria,
            placed_at: french_time(p.order.created_at),
            status: p.order.status.label(),
            total: p.order.total.to_string(),
            token: p.order.token.to_string(),
            lines: p
                .lines
                .iter()
                .map(|l| format!("{} × {}", l.quantity, l.product_name))
                .collect(),
        })
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    Ok(Template::render(
        "account/orders",
        context! { layout, orders },
    ))
}
