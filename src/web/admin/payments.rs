//! The direction's view of online payments: the newest attempts of every pizzeria (order,
//! provider, amount, state, why one failed), their refunds, and the provider events processed.

use crate::domain::money::Money;
use crate::domain::order::{number_label, PaymentMethod};
use crate::models::online_payment::{self as pay, AttemptLine};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::format::french_time;
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::Layout;
use rocket::serde::Serialize;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_payments]
}

#[derive(Serialize)]
struct AttemptView {
    at: String,
    pizzeria: String,
    number: String,
    order: &'static str,
    provider: &'static str,
    amount: String,
    status: String,
    provider_ref: String,
    failure: Option<String>,
    refunds: Vec<(String, String, String)>,
}

fn view(l: AttemptLine) -> AttemptView {
    let a = l.attempt;
    AttemptView {
        at: french_time(a.created_at),
        pizzeria: l.pizzeria,
        number: number_label(l.number),
        order: l.order_status.label(),
        provider: PaymentMethod::parse(&a.provider).map_or("?", PaymentMethod::label),
        amount: a.amount.to_string(),
        status: a.status,
        provider_ref: a.provider_ref.unwrap_or_default(),
        failure: a.failure,
        refunds: l
            .refunds
            .into_iter()
            .map(|r| {
                let amount: Money = r.amount;
                (amount.to_string(), r.status, r.reason.unwrap_or_default())
            })
            .collect(),
    }
}

#[get("/payments")]
async fn show_payments(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let (attempts, events) = state
        .db
        .run(|c| {
            Ok::<_, diesel::result::Error>((
                pay::recent_attempts(c, 100)?,
                pay::recent_events(c, 50)?,
            ))
        })
        .await??;
    let attempts: Vec<AttemptView> = attempts.into_iter().map(view).collect();
    let events: Vec<(String, String, String, String)> = events
        .into_iter()
        .map(|(p, id, kind, at)| (p, id, kind, french_time(at)))
        .collect();
    let ctx = context! { layout: Layout::new(&visitor, &csrf), attempts, events };
    Ok(Template::render("admin/payments", ctx))
}
