//! Paying online: off to the provider's hosted page (card data never reaches us), back from it,
//! and the page where a customer whose payment did not go through chooses again (retry, or
//! pay by hand). The order waits in AWAITING_PAYMENT with its stock reserved meanwhile.

use crate::domain::checkout::choose_payment;
use crate::domain::order::{OrderStatus, PaymentMethod};
use crate::domain::token::{InvalidToken, OrderToken};
use crate::models::order::OrderRow;
use crate::services::payments::{self, PaymentError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::Posted;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![
        show_payment,
        choose_payment_again,
        stripe_return,
        paypal_return,
        gocardless_return
    ]
}

fn not_found() -> AppError {
    AppError::NotFound("Cette commande est introuvable. Vérifiez le lien reçu par e-mail.".into())
}

async fn order_of(state: &AppState, token: &OrderToken) -> AppResult<OrderRow> {
    let t = token.clone();
    state
        .db
        .run(move |c| crate::models::order::by_token(c, &t))
        .await??
        .ok_or_else(not_found)
}

fn to_order(token: &OrderToken) -> Reply {
    Reply::Redirect(Redirect::to(format!("/orders/{token}")))
}

fn to_payment(token: &OrderToken) -> Reply {
    Reply::Redirect(Redirect::to(format!("/orders/{token}/payment")))
}

/// Begins an attempt and sends the customer to the provider's page. When the page cannot be
/// opened (provider down, slow, refusing), the customer lands on the payment page with the
/// reason and chooses again: nothing was charged, the order is kept.
pub async fn send_to_provider(
    state: &AppState,
    token: OrderToken,
    provider: PaymentMethod,
) -> AppResult<Reply> {
    let expire = chrono::Duration::minutes(state.settings.payments.expire_after_min as i64);
    let t = token.clone();
    let begun = match state
        .db
        .run(move |c| payments::begin(c, &t, provider, expire))
        .await?
    {
        Ok(begun) => begun,
        Err(
            PaymentError::AlreadyPaid
            | PaymentError::NotAwaiting(_)
            | PaymentError::AlreadyStarted
            | PaymentError::InFlight,
        ) => return Ok(to_order(&token)),
        Err(e) => return Err(e.into()),
    };
    close_pages(state, &begun.still_open).await;
    let public = &state.settings.mail.public_url;
    let key = begun.charge.key.clone();
    match state.payments.open(provider, &begun.charge, public).await {
        Ok(page) => {
            let url = page.url.clone();
            let to_pay = state
                .db
                .run(move |c| payments::opened(c, &key, &page))
                .await??;
            match to_pay {
                true => Ok(Reply::Redirect(Redirect::to(url))),
                false => Ok(to_order(&token)),
            }
        }
        Err(e) => {
            tracing::warn!(error = ?e, provider = provider.as_str(), "payment page not opened");
            let why = e.message();
            state
                .db
                .run(move |c| payments::not_opened(c, &key, &why))
                .await??;
            Ok(to_payment(&token))
        }
    }
}

/// Closes provider pages that must no longer be paid (best effort: one paid anyway is
/// refunded when its confirmation arrives).
async fn close_pages(state: &AppState, pages: &[(PaymentMethod, String)]) {
    for (provider, page) in pages {
        if let Err(e) = state.payments.close(*provider, page).await {
            tracing::warn!(error = %e, provider = provider.as_str(), "payment page not closed");
        }
    }
}

#[get("/orders/<token>/payment?<annule>")]
async fn show_payment(
    token: Result<OrderToken, InvalidToken>,
    annule: Option<&str>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let token = token.map_err(|_| not_found())?;
    let order = order_of(state, &token).await?;
    if order.status != OrderStatus::AwaitingPayment {
        return Ok(to_order(&token));
    }
    let id = order.id;
    let attempts = state.db.run(move |c| payments::attempts(c, id)).await??;
    let failure = attempts.last().and_then(|a| a.failure.clone());
    let online = super::views::online_choices(state);
    let ctx = context! {
        layout: Layout::new(&visitor, &csrf),
        token: token.to_string(),
        number: order.number_label(),
        total: order.total.to_string(),
        delivery: order.fulfilment == crate::domain::order::Fulfilment::Delivery,
        left_provider: annule.is_some(),
        failure,
        online,
    };
    Ok(Reply::Html(Template::render("orders/payment", ctx)))
}

#[post("/orders/<token>/payment", data = "<form>")]
async fn choose_payment_again(
    token: Result<OrderToken, InvalidToken>,
    state: &State<AppState>,
    _csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let token = token.map_err(|_| not_found())?;
    let mut f = form.0;
    let raw = f.take("payment").unwrap_or_default();
    let mut e = crate::web::form::FieldErrors::default();
    f.finish(&mut e);
    e.into_result()?;
    let order = order_of(state, &token).await?;
    let offered = state.payments.offered();
    let method = choose_payment(&raw, order.fulfilment, &offered).map_err(AppError::Invalid)?;
    if method.is_online() {
        return send_to_provider(state, token, method).await;
    }
    let t = token.clone();
    let done = state
        .db
        .run(move |c| payments::pay_by_hand(c, &t, method))
        .await?;
    match done {
        Ok(()) => {
            state.hub.order_changed(order.pizzeria_id);
            // Pages still open at the provider are closed by the payments worker.
            state.payments.wake();
            Ok(to_order(&token))
        }
        Err(PaymentError::NotAwaiting(_)) => Ok(to_order(&token)),
        Err(e) => Err(e.into()),
    }
}

/// Back from Stripe's page: its state is asked at once (a late webhook never leaves the
/// customer waiting) and applied as a webhook would be; then the tracking page, which says
/// "paiement en cours de vérification" until the payment is confirmed.
#[get("/payments/stripe/return?<order>&<session_id>")]
async fn stripe_return(
    order: &str,
    session_id: Option<&str>,
    state: &State<AppState>,
) -> AppResult<Reply> {
    let token = OrderToken::parse(order).map_err(|_| not_found())?;
    if let Some(session) = session_id.filter(|s| s.starts_with("cs_") && s.len() <= 255) {
        learn(state, PaymentMethod::Stripe, session).await;
    }
    Ok(to_order(&token))
}

/// Back from PayPal's page (PayPal adds its order id as `token`): the order's state is asked
/// at once; approved, it is captured by the payments worker, woken now, and the tracking page
/// turns paid by itself.
#[get("/payments/paypal/return?<order>&<token>")]
async fn paypal_return(
    order: &str,
    token: Option<&str>,
    state: &State<AppState>,
) -> AppResult<Reply> {
    let ours = OrderToken::parse(order).map_err(|_| not_found())?;
    let id = token
        .filter(|t| !t.is_empty() && t.len() <= 36 && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    if let Some(id) = id {
        learn(state, PaymentMethod::Paypal, id).await;
    }
    Ok(to_order(&ours))
}

/// Back from GoCardless's page (its return address carries nothing of GoCardless's own): the
/// order's latest billing request is read at once; its payment confirmed, the tracking page
/// turns paid by itself, otherwise the webhook or the reconciliation settles it.
#[get("/payments/gocardless/return?<order>")]
async fn gocardless_return(order: &str, state: &State<AppState>) -> AppResult<Reply> {
    let token = OrderToken::parse(order).map_err(|_| not_found())?;
    let id = order_of(state, &token).await?.id;
    let attempts = state.db.run(move |c| payments::attempts(c, id)).await??;
    let page = attempts
        .into_iter()
        .rev()
        .filter(|a| a.provider == PaymentMethod::Gocardless.as_str())
        .find_map(|a| a.provider_ref);
    if let Some(page) = page {
        learn(state, PaymentMethod::Gocardless, &page).await;
    }
    Ok(to_order(&token))
}

/// Asks the provider what became of an attempt and applies it as a webhook would be. Best
/// effort: the webhook and the reconciliation settle it otherwise.
async fn learn(state: &AppState, provider: PaymentMethod, page: &str) {
    match state.payments.state(provider, page).await {
        Ok(event) => {
            let applied = state
                .db
                .run(move |c| payments::apply(c, provider, &event))
                .await;
            match applied {
                Ok(Ok(payments::Applied::Done(p))) => {
                    state.hub.order_changed(p);
                    state.payments.wake();
                }
                Ok(Ok(_)) => {}
                // The webhook took it meanwhile: the order page says what it is now.
                Ok(Err(e)) => tracing::warn!(error = %e, "payment state not applied on return"),
                Err(e) => tracing::warn!(error = %e, "payment state not applied on return"),
            }
        }
        Err(e) => tracing::warn!(error = %e, "payment state not read on return"),
    }
}
