//! Checkout: delivery or pickup, contact, time, payment on delivery or at pickup. Placing the
//! order is one transaction (services::orders::place); a resubmitted form gives the same order,
//! and a cart changed since the form was shown is not ordered.

mod form;

use super::views::{cart_view, cart_view_since, online_choices, session_cart};
use crate::domain::cart::CartLine;
use crate::domain::checkout::{OrderWindow, Timing, When};
use crate::domain::hours;
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::order::Channel;
use crate::domain::order::Fulfilment;
use crate::domain::token::CheckoutKey;
use crate::models::pizzeria;
use crate::models::{session, user};
use crate::services::orders::{self, Checkout, OrderError};
use crate::services::tokens;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::fields::Values;
use crate::web::form::{FieldErrors, Posted};
use crate::web::format::french_hour;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::{Layout, Reply};
use crate::web::promise;
use chrono::Utc;
use form::{error_summary, prefilled, read_checkout, CheckoutForm};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_checkout, place_order]
}

/// What the pizzeria offers right now.
async fn timing(state: &AppState, p: Option<PizzeriaId>) -> AppResult<Timing> {
    let Some(p) = p else {
        return Ok(Timing::default());
    };
    let slots = state.db.run(move |c| pizzeria::slots_of(c, p)).await??;
    Ok(Timing::at(&slots, Utc::now()))
}

async fn prefill(state: &AppState, user: Option<UserId>) -> AppResult<Values> {
    let Some(user) = user else {
        return Ok(prefilled(None, None));
    };
    let (profile, address) = state
        .db
        .run(move |c| user::checkout_prefill(c, user))
        .await??;
    Ok(prefilled(profile, address))
}

/// The checkout page for the visitor's cart as it is now (None without a cart). Shown again
/// after a post, each line says what changed since the page the customer confirmed.
async fn checkout_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    values: Values,
    errors: FieldErrors,
    problem: Option<String>,
) -> AppResult<Option<Template>> {
    let shown = values.get("cart_shown").cloned().unwrap_or_default();
    let Some(cart) = cart_view_since(state, session_cart(visitor), &shown).await? else {
        return Ok(None);
    };
    let p = PizzeriaId(cart.pizzeria_id);
    let slots = state.db.run(move |c| pizzeria::slots_of(c, p)).await??;
    let t = Timing::at(&slots, Utc::now());
    let window = OrderWindow::at(&slots, Utc::now());
    let reopens = match &window {
        OrderWindow::Closed(when) => when.clone(),
        _ => None,
    };
    let others = match cart.pizzeria_active && window.takes_orders() {
        true => Vec::new(),
        false => open_elsewhere(state, p).await?,
    };
    let layout = Layout::new(visitor, csrf);
    let idempotency_key = values
        .get("idempotency_key")
        .and_then(|k| CheckoutKey::parse(k).ok())
        .unwrap_or_else(tokens::checkout_key);
    let summary = error_summary(&errors);
    let lines = session_cart(visitor).map(|c| c.lines).unwrap_or_default();
    let promise = promise::estimate(state, p, &lines, None, Fulfilment::Delivery).await;
    let promise = context! {
        pickup: promise.map(|e| format!("prête vers {}", french_hour(e.ready_at))),
        delivery: promise
            .and_then(|e| e.delivered_at)
            .map(|t| format!("livrée vers {}", french_hour(t))),
    };
    let online = online_choices(state);
    let online_chosen = online
        .iter()
        .any(|(m, _)| values.get("payment").is_some_and(|v| v == m));
    let ctx = context! {
        promise, online, online_chosen,
        layout, cart, values, errors, summary, problem, idempotency_key, others, reopens,
        open_now: t.open_now, slots: t.slot_texts(), logged_in: visitor.user().is_some(),
    };
    Ok(Some(Template::render("checkout/form", ctx)))
}

/// The other pizzerias that take orders now, for a cart whose pizzeria does not.
async fn open_elsewhere(state: &AppState, not: PizzeriaId) -> AppResult<Vec<(i64, String)>> {
    let directory = state.db.run(pizzeria::directory).await??;
    Ok(directory
        .into_iter()
        .filter(|(p, slots)| p.id != not && OrderWindow::at(slots, Utc::now()).takes_orders())
        .map(|(p, _)| (p.id.0, p.name))
        .collect())
}

#[get("/checkout")]
async fn show_checkout(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Reply> {
    let values = prefill(state, visitor.user()).await?;
    let page = checkout_page(state, &visitor, &csrf, values, FieldErrors::default(), None);
    match page.await? {
        Some(page) => Ok(Reply::Html(page)),
        None => Ok(Reply::Redirect(Redirect::to("/cart"))),
    }
}

/// The cart is empty: the form was placed already (a resubmission finds its order), or another
/// tab placed or emptied this cart after the form was shown. Without a session, back to the cart.
async fn without_cart(state: &AppState, visitor: &Visitor, values: &Values) -> AppResult<Reply> {
    if visitor.session.is_none() {
        return Ok(Reply::Redirect(Redirect::to("/cart")));
    }
    if let Some(key) = values
        .get("idempotency_key")
        .and_then(|k| CheckoutKey::parse(k).ok())
    {
        if let Some(token) = state
            .db
            .run(move |c| orders::placed_with(c, &key))
            .await??
        {
            return Ok(Reply::Redirect(Redirect::to(format!("/orders/{token}"))));
        }
    }
    Err(AppError::Conflict(
        "Votre panier est vide : cette commande a peut-être déjà été passée depuis un autre onglet. \
         Retrouvez-la dans l'e-mail de confirmation ou dans « Mes commandes »."
            .into(),
    ))
}

/// The order to place; None when the chosen slot does not exist today (a clock change).
fn checkout_of(f: CheckoutForm, pizzeria: PizzeriaId, visitor: &Visitor) -> Option<Checkout> {
    let session = visitor.session.as_ref()?;
    let desired_at = match f.when {
        When::Asap => None,
        When::At(minutes) => Some(hours::today_at(Utc::now(), minutes)?),
    };
    Some(Checkout {
        pizzeria,
        session: session.id.clone(),
        shown: f.shown,
        contact: f.contact,
        delivery: f.delivery,
        desired_at,
        payment: f.payment,
        channel: Channel::Web,
        user: visitor.user(),
        save_address: f.save_address && visitor.user().is_some(),
        key: f.key,
        promised_at: None,
    })
}

/// An order paid by hand is promised a time now (from the queue); an online one when its
/// payment is confirmed.
async fn with_promise(state: &AppState, mut checkout: Checkout, lines: &[CartLine]) -> Checkout {
    if checkout.payment.is_online() {
        return checkout;
    }
    let fulfilment = match checkout.delivery {
        Some(_) => Fulfilment::Delivery,
        None => Fulfilment::Pickup,
    };
    checkout.promised_at = promise::estimate(
        state,
        checkout.pizzeria,
        lines,
        checkout.desired_at,
        fulfilment,
    )
    .await
    .map(|e| e.promised());
    checkout
}

#[post("/checkout", data = "<form>")]
async fn place_order(
    state: &State<AppState>,
    metrics: &State<std::sync::Arc<crate::web::telemetry::Metrics>>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let Some(cart) = session_cart(&visitor).filter(|c| !c.is_empty()) else {
        let values = read_checkout(form.0, &Timing::default(), &[]).0;
        return without_cart(state, &visitor, &values).await;
    };
    let timing = timing(state, Some(cart.pizzeria)).await?;
    let offered = state.payments.offered();
    let (values, read) = read_checkout(form.0, &timing, &offered);
    let page = CheckoutPage {
        state,
        csrf: &csrf,
        values,
    };
    let parsed = match read {
        Ok(parsed) => parsed,
        Err(errors) => return page.invalid(&visitor, errors).await,
    };
    let Some(checkout) = checkout_of(parsed, cart.pizzeria, &visitor) else {
        let mut errors = FieldErrors::default();
        errors.add(
            "when",
            "Ce créneau n'existe pas aujourd'hui : choisissez-en un autre.",
        );
        return page.invalid(&visitor, errors).await;
    };
    let checkout = with_promise(state, checkout, &cart.lines).await;
    let p = checkout.pizzeria;
    let online = checkout.payment.is_online().then_some(checkout.payment);
    match state.db.run(move |c| orders::place(c, &checkout)).await? {
        Ok(placed) => {
            metrics.placed();
            state.hub.order_changed(p);
            match online {
                // A form placed twice goes to its order, not to a second payment page.
                Some(provider) if !placed.replayed => {
                    super::pay::send_to_provider(state, placed.token, provider).await
                }
                _ => Ok(Reply::Redirect(Redirect::to(format!(
                    "/orders/{}",
                    placed.token
                )))),
            }
        }
        Err(OrderError::Db(e)) => Err(e.into()),
        Err(refused) => {
            if matches!(refused, OrderError::OutOfStock(_)) {
                metrics.refused_for_stock();
            }
            page.refused(&visitor, refused.to_string()).await
        }
    }
}

/// The checkout shown again after a post, with the values as typed.
struct CheckoutPage<'a> {
    state: &'a AppState,
    csrf: &'a Csrf,
    values: Values,
}

impl CheckoutPage<'_> {
    /// Fields refused (422). A cart that changed meanwhile is said too: the page now shows it.
    async fn invalid(self, visitor: &Visitor, errors: FieldErrors) -> AppResult<Reply> {
        let posted = self.values.get("cart_version").cloned().unwrap_or_default();
        let now = cart_view(self.state, session_cart(visitor)).await?;
        let changed = now
            .as_ref()
            .is_some_and(|c| !posted.is_empty() && c.version != posted);
        let problem = changed.then(|| OrderError::CartChanged.to_string());
        let page = checkout_page(self.state, visitor, self.csrf, self.values, errors, problem);
        page_or_empty_cart(page.await?, Reply::Invalid)
    }

    /// The order was refused and nothing was written: the cart as it is now (re-read), with
    /// the reason.
    async fn refused(self, visitor: &Visitor, problem: String) -> AppResult<Reply> {
        let Some(id) = visitor.session.as_ref().map(|s| s.id.clone()) else {
            return without_cart(self.state, visitor, &self.values).await;
        };
        let now = Visitor {
            session: self.state.db.run(move |c| session::find(c, &id)).await??,
        };
        if session_cart(&now).is_none_or(|c| c.is_empty()) {
            return without_cart(self.state, &now, &self.values).await;
        }
        let errors = FieldErrors::default();
        let page = checkout_page(
            self.state,
            &now,
            self.csrf,
            self.values,
            errors,
            Some(problem),
        );
        page_or_empty_cart(page.await?, Reply::Conflict)
    }
}

fn page_or_empty_cart(page: Option<Template>, status: fn(Template) -> Reply) -> AppResult<Reply> {
    page.map(status)
        .ok_or_else(|| AppError::Conflict("Votre panier est vide.".into()))
}
