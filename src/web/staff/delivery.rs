//! The drivers' screen: ready deliveries to take (one or several), the driver's own run with
//! "Livrée" (and what was collected) or "Échec" (and why), failed deliveries for the manager,
//! and the end-of-shift summary.

use super::views::live::{self, Screen};
use super::views::{member, order_id, pizzeria_of};
use crate::domain::hours::paris;
use crate::domain::ids::{InvalidId, OrderId, PizzeriaId};
use crate::domain::money::Money;
use crate::services::floor;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::Posted;
use crate::web::format::french_hour;
use crate::web::guards::{Csrf, Driver, Htmx, Manager, PizzeriaStaff, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::content::RawHtml;
use rocket::response::stream::{Event, EventStream};
use rocket::{get, post, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![
        show_delivery,
        delivery_events,
        take_orders,
        mark_delivered,
        mark_failed,
        resend_order,
        show_shift
    ]
}

fn screen(staff: &PizzeriaStaff) -> Screen {
    Screen::Delivery(staff.user)
}

#[get("/<_p>/delivery")]
async fn show_delivery(
    _p: Result<PizzeriaId, InvalidId>,
    driver: Driver,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<RawHtml<String>> {
    let pizzeria = pizzeria_of(state, &driver.0).await?;
    let layout = Layout::new(&visitor, &csrf);
    let token = layout.csrf.clone();
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
    };
    let screen = screen(&driver.0);
    live::page(state, &md, &driver.0, screen, "staff/delivery", ctx, &token).await
}

#[get("/<_p>/delivery/events")]
async fn delivery_events<'r>(
    _p: Result<PizzeriaId, InvalidId>,
    driver: Driver,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    let screen = screen(&driver.0);
    live::open(state.inner(), md, driver.0, screen, &csrf, end).await
}

/// "Je pars": `take[<order id>]` for each order ticked.
#[post("/<_p>/delivery/take", data = "<form>")]
async fn take_orders(
    _p: Result<PizzeriaId, InvalidId>,
    driver: Driver,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let ticked = form.take_indexed("take");
    form.expect_empty()?;
    let ids = ticked
        .iter()
        .map(|(id, _)| order_id(OrderId::parse(id)))
        .collect::<AppResult<Vec<OrderId>>>()?;
    let by = member(&driver.0);
    state.db.run(move |c| floor::take(c, by, &ids)).await??;
    live::answer(state, &md, &driver.0, screen(&driver.0), &csrf, htmx).await
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/delivery/<order>/delivered", data = "<form>")]
async fn mark_delivered(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    driver: Driver,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let (hand, amount) = (form.text("hand"), form.text("amount"));
    form.expect_empty()?;
    let id = order_id(order)?;
    let by = member(&driver.0);
    state
        .db
        .run(move |c| floor::delivered(c, by, id, &hand, &amount))
        .await??;
    live::answer(state, &md, &driver.0, screen(&driver.0), &csrf, htmx).await
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/delivery/<order>/failed", data = "<form>")]
async fn mark_failed(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    driver: Driver,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    let mut form = form.0;
    let reason = form.text("reason");
    form.expect_empty()?;
    let id = order_id(order)?;
    let by = member(&driver.0);
    state
        .db
        .run(move |c| floor::failed(c, by, id, &reason))
        .await??;
    live::answer(state, &md, &driver.0, screen(&driver.0), &csrf, htmx).await
}

/// The manager sends a failed delivery out again.
#[allow(clippy::too_many_arguments)]
#[post("/<_p>/delivery/<order>/resend", data = "<form>")]
async fn resend_order(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    md: Metadata<'_>,
    csrf: Csrf,
    htmx: Htmx,
    form: Posted,
) -> AppResult<Reply> {
    form.0.expect_empty()?;
    let id = order_id(order)?;
    let by = member(&manager.0);
    state.db.run(move |c| floor::resend(c, by, id)).await??;
    live::answer(state, &md, &manager.0, screen(&manager.0), &csrf, htmx).await
}

/// The driver's day: deliveries, cash and card collected, what to hand over.
#[get("/<_p>/delivery/summary")]
async fn show_shift(
    _p: Result<PizzeriaId, InvalidId>,
    driver: Driver,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, &driver.0).await?;
    let by = member(&driver.0);
    let now = chrono::Utc::now();
    let day = paris(now).date();
    // Today, Paris time: from its midnight.
    let since = {
        use chrono::TimeZone;
        chrono_tz::Europe::Paris
            .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or(now.naive_utc(), |t| t.naive_utc())
    };
    let shift = state
        .db
        .run(move |c| floor::shift(c, by, day, since))
        .await??;
    let sum = |hand: &str| -> Money {
        shift
            .collected
            .iter()
            .filter(|(h, _)| h == hand)
            .map(|(_, m)| *m)
            .sum()
    };
    let (cash, card) = (sum("cash"), sum("card"));
    let deliveries: Vec<_> = shift
        .delivered
        .iter()
        .map(|(name, number, at)| {
            context! {
                number: crate::domain::order::number_label(*number),
                customer: name,
                at: french_hour(*at),
            }
        })
        .collect();
    let layout = Layout::new(&visitor, &csrf);
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        driver: &driver.0.name,
        deliveries,
        cash: cash.to_string(),
        card: card.to_string(),
        hand_over: cash.to_string(),
    };
    Ok(Template::render("staff/shift", ctx))
}
