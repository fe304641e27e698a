//! The counter and the phone: orders entered by staff through the customer's pipeline,
//! customers looked up by phone, pickups found and handed over, staff cancellations.

use super::views::counter_form::{blank_form, read_order};
use super::views::live::{self, Screen};
use super::views::{self, changed, floor_of, member, order_id, pizzeria_of};
use crate::domain::checkout::Timing;
use crate::domain::ids::{InvalidId, OrderId, PizzeriaId};
use crate::domain::order::Fulfilment;
use crate::models::menu;
use crate::services::floor::{self};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::fields::Values;
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::{Counter, Csrf, Htmx, PizzeriaStaff, Visitor};
use crate::web::layout::{Layout, Reply};
use chrono::Utc;
use rocket::response::stream::{Event, EventStream};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, Shutdown, State};
use rocket_dyn_templates::{context, Metadata, Template};

pub fn routes() -> Vec<Route> {
    routes![
        show_counter,
        counter_events,
        look_up_customer,
        search_orders,
        place_order,
        hand_over,
        ask_cancel,
        cancel_order
    ]
}

/// The counter's page: the order form with today's menu and what can still be made, then
/// the live board (pickups, open orders).
#[allow(clippy::too_many_arguments)]
async fn counter_page(
    state: &AppState,
    md: &Metadata<'_>,
    staff: &PizzeriaStaff,
    visitor: &Visitor,
    csrf: &Csrf,
    values: Values,
    qty: std::collections::HashMap<String, String>,
    errors: FieldErrors,
    placed: Option<String>,
) -> AppResult<Template> {
    let pizzeria = pizzeria_of(state, staff).await?;
    let p = staff.pizzeria;
    let (products, counts) = state
        .db
        .run(move |c| menu::products_and_counts(c, p))
        .await??;
    let slots = state
        .db
        .run(move |c| crate::models::pizzeria::slots_of(c, p))
        .await??;
    let timing = Timing::at(&slots, Utc::now());
    let layout = Layout::new(visitor, csrf);
    let board = live::board_now(state, md, staff, Screen::Counter, &layout.csrf).await?;
    let menu: Vec<_> = products
        .iter()
        .map(|m| {
            let left = counts.get(&m.id).copied().unwrap_or(0);
            context! {
                id: m.id.0,
                name: &m.name,
                price: m.price.to_string(),
                left,
                sold_out: left <= 0,
                qty: qty.get(&m.id.0.to_string()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let ctx = context! {
        layout,
        pizzeria: context! { id: pizzeria.id.0, name: pizzeria.name },
        menu,
        open_now: timing.open_now,
        slots: timing.slot_texts(),
        values,
        errors,
        placed,
        board,
    };
    Ok(Template::render("staff/counter", ctx))
}

#[get("/<_p>/counter?<placed>")]
async fn show_counter(
    _p: Result<PizzeriaId, InvalidId>,
    placed: Option<&str>,
    clerk: Counter,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    // The order just placed, as the clerk reads it back to the customer.
    let placed = match placed.map(OrderId::parse) {
        Some(Ok(id)) => {
            let p = clerk.0.pizzeria;
            state
                .db
                .run(move |c| crate::models::floor::order_of(c, p, id))
                .await??
                .map(|o| placed_text(&o))
        }
        _ => None,
    };
    let values = blank_form();
    let none = Default::default();
    counter_page(
        state,
        &md,
        &clerk.0,
        &visitor,
        &csrf,
        values,
        none,
        FieldErrors::default(),
        placed,
    )
    .await
}

fn placed_text(o: &crate::models::floor::FloorOrder) -> String {
    let when = o.order.promised_at.map_or_else(String::new, |t| {
        let verb = match o.order.fulfilment {
            Fulfilment::Delivery => "livrée vers",
            Fulfilment::Pickup => "prête vers",
        };
        format!(" : {verb} {}", crate::web::format::french_hour(t))
    });
    format!(
        "Commande {} enregistrée pour {} ({}){when}.",
        o.order.number_label(),
        o.order.customer_name,
        o.order.total
    )
}

#[get("/<_p>/counter/events")]
async fn counter_events<'r>(
    _p: Result<PizzeriaId, InvalidId>,
    clerk: Counter,
    state: &'r State<AppState>,
    md: Metadata<'r>,
    csrf: Csrf,
    end: Shutdown,
) -> AppResult<EventStream![Event + 'r]> {
    live::open(state.inner(), md, clerk.0, Screen::Counter, &csrf, end).await
}

/// What earlier orders of this number say (names, addresses), for the order form.
#[get("/<_p>/counter/customer?<phone>")]
async fn look_up_customer(
    _p: Result<PizzeriaId, InvalidId>,
    phone: Option<&str>,
    clerk: Counter,
    state: &State<AppState>,
) -> AppResult<Template> {
    let phone = phone.unwrap_or_default().to_string();
    let by = member(&clerk.0);
    let known = state
        .db
        .run(move |c| floor::known_customer(c, by, &phone))
        .await??;
    let addresses: Vec<_> = known
        .addresses
        .iter()
        .map(|(street, postal_code, city, instructions)| {
            context! { street, postal_code, city, instructions: instructions.clone().unwrap_or_default() }
        })
        .collect();
    let ctx = context! { names: known.names, emails: known.emails, addresses };
    Ok(Template::render("staff/_known_customer", ctx))
}

/// Orders found by number, name or phone: pickups to hand over, open orders.
#[get("/<_p>/counter/pickups?<q>")]
async fn search_orders(
    _p: Result<PizzeriaId, InvalidId>,
    q: Option<&str>,
    clerk: Counter,
    state: &State<AppState>,
    csrf: Csrf,
) -> AppResult<Template> {
    let q = q.unwrap_or_default();
    if q.chars().count() > 60 {
        return Err(AppError::Invalid(
            "Recherche trop longue : 60 caractères au plus.".into(),
        ));
    }
    let floor = floor_of(state, &clerk.0).await?;
    let c = views::runs::counter(&floor, q);
    let manager = clerk
        .0
        .access
        .covers(crate::domain::staff::StaffRole::Manager);
    let ctx = context! { c, layout: context! { csrf: csrf.0.to_string() }, pizzeria: clerk.0.pizzeria.0, manager };
    Ok(Template::render("staff/_counter_board", ctx))
}

#[post("/<_p>/counter/orders", data = "<form>")]
async fn place_order(
    _p: Result<PizzeriaId, InvalidId>,
    clerk: Counter,
    state: &State<AppState>,
    md: Metadata<'_>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let p = clerk.0.pizzeria;
    let slots = state
        .db
        .run(move |c| crate::models::pizzeria::slots_of(c, p))
        .await??;
    let timing = Timing::at(&slots, Utc::now());
    let (values, typed, order) = read_order(form.0, &timing);
    let mut order = match order {
        Ok(order) => order,
        Err(errors) => {
            let page = counter_page(
                state, &md, &clerk.0, &visitor, &csrf, values, typed, errors, None,
            )
            .await?;
            return Ok(Reply::Invalid(page));
        }
    };
    let fulfilment = match order.delivery {
        Some(_) => Fulfilment::Delivery,
        None => Fulfilment::Pickup,
    };
    order.promised_at =
        crate::web::promise::estimate(state, p, &order.lines, order.desired_at, fulfilment)
            .await
            .map(|e| e.promised());
    let by = member(&clerk.0);
    match state
        .db
        .run(move |c| floor::place_counter_order(c, by, &order))
        .await?
    {
        Ok((id, _)) => {
            changed(state, &clerk.0);
            Ok(Reply::Redirect(Redirect::to(format!(
                "/staff/{p}/counter?placed={id}"
            ))))
        }
        Err(floor::FloorError::Order(e))
            if !matches!(e, crate::services::orders::OrderError::Db(_)) =>
        {
            let mut errors = FieldErrors::default();
            errors.add("form", e.to_string());
            let page = counter_page(
                state, &md, &clerk.0, &visitor, &csrf, values, typed, errors, None,
            )
            .await?;
            Ok(Reply::Conflict(page))
        }
        Err(e) => Err(e.into()),
    }
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/counter/<order>/handover", data = "<form>")]
async fn hand_over(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    clerk: Counter,
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
    let by = member(&clerk.0);
    state
        .db
        .run(move |c| floor::handover(c, by, id, &hand, &amount))
        .await??;
    live::answer(state, &md, &clerk.0, Screen::Counter, &csrf, htmx).await
}

/// The question before a staff cancellation: which order, and why.
#[get("/<_p>/counter/<order>/cancel")]
async fn ask_cancel(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    clerk: Counter,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let id = order_id(order)?;
    let p = clerk.0.pizzeria;
    let found = state
        .db
        .run(move |c| crate::models::floor::order_of(c, p, id))
        .await??
        .ok_or(floor::FloorError::NotFound)?;
    let layout = Layout::new(&visitor, &csrf);
    let started = matches!(
        found.order.status,
        crate::domain::order::OrderStatus::InPreparation | crate::domain::order::OrderStatus::Ready
    );
    let ctx = context! {
        layout,
        pizzeria: p.0,
        order: context! {
            id: found.order.id.0,
            number: found.order.number_label(),
            customer: &found.order.customer_name,
            status: found.order.status.label(),
            started,
        },
        error: None::<String>,
    };
    Ok(Template::render("staff/cancel", ctx))
}

#[allow(clippy::too_many_arguments)]
#[post("/<_p>/counter/<order>/cancel", data = "<form>")]
async fn cancel_order(
    _p: Result<PizzeriaId, InvalidId>,
    order: Result<OrderId, InvalidId>,
    clerk: Counter,
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
    let by = member(&clerk.0);
    state
        .db
        .run(move |c| floor::cancel(c, by, id, &reason))
        .await??;
    // What was paid online goes back (the payments worker sends the refund).
    state.payments.wake();
    live::answer(state, &md, &clerk.0, Screen::Counter, &csrf, htmx).await
}
