//! Modifying or cancelling an order while the kitchen has not started.

use super::{order_view, too_late, too_late_now, tracked_order};
use crate::domain::cart::MAX_QTY_PER_LINE;
use crate::domain::ids::ProductId;
use crate::domain::token::{InvalidToken, OrderToken};
use crate::models::menu;
use crate::models::order::Tracked;
use crate::services::orders::{self, OrderError};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::fields::{self, Quantities};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use std::collections::{HashMap, HashSet};

pub fn routes() -> Vec<Route> {
    routes![edit_order, modify_order, ask_cancel, cancel_order]
}

#[derive(Serialize)]
struct EditLine {
    product_id: i64,
    name: String,
    kind: &'static str,
    price: String,
    qty: u32,
    /// What the field shows: the typed value after an error, else the ordered quantity.
    value: String,
    left: i64,
    /// The French message next to the field, if its value was refused.
    error: Option<String>,
}

/// One field per product of the menu, plus the ordered products no longer on it (so that
/// they can be removed).
async fn edit_lines(state: &AppState, tracked: &Tracked) -> AppResult<Vec<EditLine>> {
    let p = tracked.order.pizzeria_id;
    let (products, counts) = state
        .db
        .run(move |c| menu::products_and_counts(c, p))
        .await??;
    let ordered: HashMap<ProductId, u32> = tracked
        .lines
        .iter()
        .map(|l| (l.product_id, l.quantity as u32))
        .collect();
    let held = |id: &ProductId| ordered.get(id).copied().unwrap_or(0);
    let mut lines: Vec<EditLine> = products
        .into_iter()
        .map(|m| EditLine {
            product_id: m.id.0,
            qty: held(&m.id),
            value: String::new(),
            error: None,
            left: counts.get(&m.id).copied().unwrap_or(0) + i64::from(held(&m.id)),
            name: m.name,
            kind: m.kind.as_str(),
            price: m.price.to_string(),
        })
        .collect();
    let on_menu: HashSet<i64> = lines.iter().map(|x| x.product_id).collect();
    let gone = tracked
        .lines
        .iter()
        .filter(|l| !on_menu.contains(&l.product_id.0));
    lines.extend(gone.map(|l| EditLine {
        product_id: l.product_id.0,
        name: l.product_name.clone(),
        kind: "autre",
        price: l.unit_price.to_string(),
        qty: l.quantity as u32,
        value: String::new(),
        error: None,
        left: i64::from(l.quantity),
    }));
    Ok(lines)
}

async fn edit_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    tracked: Tracked,
    typed: Option<(HashMap<ProductId, String>, FieldErrors)>,
    problem: Option<String>,
) -> AppResult<Template> {
    let mut lines = edit_lines(state, &tracked).await?;
    let (typed, errors) = typed.unwrap_or_default();
    for line in &mut lines {
        let id = ProductId(line.product_id);
        line.value = typed
            .get(&id)
            .cloned()
            .unwrap_or_else(|| line.qty.to_string());
        line.error = errors.get(&format!("qty{id}")).map(str::to_string);
    }
    let layout = Layout::new(visitor, csrf);
    let ctx =
        context! { layout, order: order_view(&tracked), lines, problem, max: MAX_QTY_PER_LINE };
    Ok(Template::render("orders/edit", ctx))
}

#[get("/orders/<token>/edit")]
async fn edit_order(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let tracked = tracked_order(state, token).await?;
    if !tracked.order.status.customer_may_change() {
        let to = format!("/orders/{}", tracked.order.token);
        return Ok(Reply::Redirect(Redirect::to(to)));
    }
    let page = edit_page(state, &visitor, &csrf, tracked, None, None).await?;
    Ok(Reply::Html(page))
}

/// The quantities asked for each product, and the message of each refused one.
fn read_modification(mut f: RawForm) -> (Quantities, FieldErrors) {
    let mut errors = FieldErrors::default();
    let quantities = fields::quantities(&mut f, &mut errors);
    f.finish(&mut errors);
    (quantities, errors)
}

#[post("/orders/<token>/edit", data = "<form>")]
async fn modify_order(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let tracked = tracked_order(state, token).await?;
    if !tracked.order.status.customer_may_change() {
        return Err(too_late(tracked.order.status));
    }
    let (Quantities { lines, typed }, errors) = read_modification(form.0);
    if !errors.is_empty() {
        let problem = errors
            .get("form")
            .unwrap_or("Corrigez les quantités signalées.");
        let problem = Some(problem.to_string());
        let page = edit_page(
            state,
            &visitor,
            &csrf,
            tracked,
            Some((typed, errors)),
            problem,
        );
        return Ok(Reply::Invalid(page.await?));
    }
    let token = tracked.order.token.clone();
    let t = token.clone();
    let refused = match state.db.run(move |c| orders::modify(c, &t, &lines)).await? {
        Ok(()) => {
            state.hub.order_changed(tracked.order.pizzeria_id);
            // A smaller order paid online: the difference to refund.
            state.payments.wake();
            return Ok(Reply::Redirect(Redirect::to(format!("/orders/{token}"))));
        }
        Err(OrderError::Transition(_)) => return Err(too_late_now(state, &token).await),
        Err(OrderError::Db(e)) => return Err(e.into()),
        Err(e) => e,
    };
    let typed = Some((typed, FieldErrors::default()));
    let (problem, reply): (String, fn(Template) -> Reply) = match refused {
        OrderError::EmptyCart => (
            "Pour tout retirer, annulez la commande.".into(),
            Reply::Invalid,
        ),
        other => (other.to_string(), Reply::Conflict),
    };
    let page = edit_page(state, &visitor, &csrf, tracked, typed, Some(problem));
    Ok(reply(page.await?))
}

/// "Annuler la commande ?": the question, before anything is cancelled.
fn cancel_question(visitor: &Visitor, csrf: &Csrf, tracked: &Tracked) -> Template {
    let layout = Layout::new(visitor, csrf);
    let ctx = context! { layout, order: order_view(tracked) };
    Template::render("orders/cancel", ctx)
}

#[get("/orders/<token>/cancel")]
async fn ask_cancel(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let tracked = tracked_order(state, token).await?;
    if !tracked.order.status.customer_may_change() {
        let to = format!("/orders/{}", tracked.order.token);
        return Ok(Reply::Redirect(Redirect::to(to)));
    }
    Ok(Reply::Html(cancel_question(&visitor, &csrf, &tracked)))
}

/// Cancels once confirmed (`confirm=oui`); without the confirmation, asks first.
#[post("/orders/<token>/cancel", data = "<form>")]
async fn cancel_order(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let confirmed = form.0.confirmed()?;
    let tracked = tracked_order(state, token).await?;
    if !tracked.order.status.customer_may_change() {
        return Err(too_late(tracked.order.status));
    }
    if !confirmed {
        return Ok(Reply::Html(cancel_question(&visitor, &csrf, &tracked)));
    }
    let token = tracked.order.token.clone();
    let t = token.clone();
    match state
        .db
        .run(move |c| orders::cancel_by_customer(c, &t))
        .await?
    {
        Ok(()) => {
            state.hub.order_changed(tracked.order.pizzeria_id);
            // A refund to send, or a payment page to close.
            state.payments.wake();
            Ok(Reply::Redirect(Redirect::to(format!("/orders/{token}"))))
        }
        Err(OrderError::Transition(_)) => Err(too_late_now(state, &token).await),
        Err(e) => Err(e.into()),
    }
}
