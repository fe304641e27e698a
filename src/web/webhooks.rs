//! Webhooks: the providers telling us what happened to a payment or a refund. The source of
//! truth: the signature proves the sender and the body, the event is applied once (its id
//! recorded with its effect), and the answer comes fast: no provider call here. No CSRF token
//! (the signature authenticates), and bodies larger than Rocket's default limit.

use crate::db::AsDieselError;
use crate::domain::order::PaymentMethod;
use crate::domain::payment::ProviderEvent;
use crate::payments::gocardless;
use crate::payments::paypal::{self, Transmission};
use crate::payments::stripe;
use crate::services::payments::{self, Applied, PaymentError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{post, routes, Route, State};

/// Larger than any event a provider sends (Stripe's are a few KiB, a GoCardless batch more).
const BODY_LIMIT_KIB: u64 = 1024;

pub fn routes() -> Vec<Route> {
    routes![stripe_webhook, paypal_webhook, gocardless_webhook]
}

/// The `Stripe-Signature` header, if any.
pub struct StripeSignature(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for StripeSignature {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let header = req.headers().get_one("Stripe-Signature");
        Outcome::Success(StripeSignature(header.map(str::to_string)))
    }
}

/// GoCardless's `Webhook-Signature` header, if any.
pub struct GocardlessSignature(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for GocardlessSignature {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let header = req.headers().get_one("Webhook-Signature");
        Outcome::Success(GocardlessSignature(header.map(str::to_string)))
    }
}

/// What GoCardless documents for a webhook whose signature does not hold: 498 Invalid Token.
const INVALID_TOKEN: Status = Status::new(498);

async fn raw_body(data: Data<'_>) -> AppResult<Vec<u8>> {
    let body = data
        .open(BODY_LIMIT_KIB.kibibytes())
        .into_bytes()
        .await
        .map_err(|_| AppError::Invalid("Corps de requête illisible.".into()))?;
    if !body.is_complete() {
        return Err(AppError::Invalid("Corps de requête trop long.".into()));
    }
    Ok(body.into_inner())
}

#[post("/webhooks/stripe", data = "<data>")]
async fn stripe_webhook(
    state: &State<AppState>,
    signature: StripeSignature,
    data: Data<'_>,
) -> AppResult<(Status, &'static str)> {
    let Some(client) = state.payments.stripe.as_ref() else {
        return Ok((Status::NotFound, "Stripe n'est pas configuré."));
    };
    let body = raw_body(data).await?;
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = client.verify(signature.0.as_deref(), &body, now) {
        tracing::warn!(reason = %e, "Stripe webhook refused");
        return Ok((Status::BadRequest, "Signature invalide."));
    }
    let event = match stripe::parse_event(&body) {
        Ok(Some(event)) => event,
        Ok(None) => return Ok((Status::Ok, "Événement ignoré.")),
        Err(e) => {
            tracing::warn!(error = %e, "Stripe webhook unreadable");
            return Ok((Status::BadRequest, "Événement illisible."));
        }
    };
    applied(state, PaymentMethod::Stripe, event).await
}

/// The event applied once; the live pages and the payments worker (a capture or a refund
/// may be due) are told.
async fn applied(
    state: &AppState,
    provider: PaymentMethod,
    event: ProviderEvent,
) -> AppResult<(Status, &'static str)> {
    apply_one(state, provider, event).await??;
    Ok((Status::Ok, "OK"))
}

/// Applies one event and tells the live pages and the payments worker when it changed
/// something; what our rules said about it is the caller's to answer.
async fn apply_one(
    state: &AppState,
    provider: PaymentMethod,
    event: ProviderEvent,
) -> AppResult<Result<(), PaymentError>> {
    let applied = state
        .db
        .run(move |c| payments::apply(c, provider, &event))
        .await?;
    if let Ok(Applied::Done(p)) = applied {
        state.hub.order_changed(p);
        state.payments.wake();
    }
    Ok(applied.map(drop))
}

/// The headers PayPal signs a webhook with (all of them are needed to check it).
pub struct PaypalHeaders(Option<Transmission>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PaypalHeaders {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let h = |name: &str| req.headers().get_one(name).map(str::to_string);
        let t = (|| {
            Some(Transmission {
                id: h("PAYPAL-TRANSMISSION-ID")?,
                time: h("PAYPAL-TRANSMISSION-TIME")?,
                sig: h("PAYPAL-TRANSMISSION-SIG")?,
                cert_url: h("PAYPAL-CERT-URL")?,
                auth_algo: h("PAYPAL-AUTH-ALGO")?,
            })
        })();
        Outcome::Success(PaypalHeaders(t))
    }
}

/// PayPal's webhook: checked by PayPal itself (verify-webhook-signature, outside any
/// transaction); PayPal down, the answer is 503 and PayPal sends the event again later.
#[post("/webhooks/paypal", data = "<data>")]
async fn paypal_webhook(
    state: &State<AppState>,
    headers: PaypalHeaders,
    data: Data<'_>,
) -> AppResult<(Status, &'static str)> {
    let Some(client) = state.payments.paypal.as_ref() else {
        return Ok((Status::NotFound, "PayPal n'est pas configuré."));
    };
    let body = raw_body(data).await?;
    let Some(transmission) = headers.0 else {
        return Ok((Status::BadRequest, "Signature invalide."));
    };
    match client.verify(&transmission, &body).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!("PayPal webhook refused: signature not verified");
            return Ok((Status::BadRequest, "Signature invalide."));
        }
        Err(e) => {
            tracing::warn!(error = %e, "PayPal webhook not verified");
            return Ok((
                Status::ServiceUnavailable,
                "Vérification impossible pour l'instant.",
            ));
        }
    }
    match paypal::parse_event(&body) {
        Ok(Some(event)) => applied(state, PaymentMethod::Paypal, event).await,
        Ok(None) => Ok((Status::Ok, "Événement ignoré.")),
        Err(e) => {
            tracing::warn!(error = %e, "PayPal webhook unreadable");
            Ok((Status::BadRequest, "Événement illisible."))
        }
    }
}

/// GoCardless's webhook: a batch of events under one signature, each event applied once in
/// its own transaction. The database failing answers 500 and GoCardless sends the batch again
/// (the events applied already count once); an event our rules refuse is logged and skipped,
/// so that it does not hold back the others.
#[post("/webhooks/gocardless", data = "<data>")]
async fn gocardless_webhook(
    state: &State<AppState>,
    signature: GocardlessSignature,
    data: Data<'_>,
) -> AppResult<(Status, &'static str)> {
    let Some(client) = state.payments.gocardless.as_ref() else {
        return Ok((Status::NotFound, "GoCardless n'est pas configuré."));
    };
    let body = raw_body(data).await?;
    if !client.verify(signature.0.as_deref(), &body) {
        tracing::warn!("GoCardless webhook refused: signature does not hold");
        return Ok((INVALID_TOKEN, "Signature invalide."));
    }
    let events = match gocardless::parse_events(&body) {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, "GoCardless webhook unreadable");
            return Ok((Status::BadRequest, "Événements illisibles."));
        }
    };
    for event in events {
        let id = event.event_id.clone();
        match apply_one(state, PaymentMethod::Gocardless, event).await? {
            Ok(()) => {}
            Err(e) if e.as_diesel().is_some() => return Err(e.into()),
            Err(e) => tracing::warn!(event = %id, error = %e, "GoCardless event not applied"),
        }
    }
    Ok((Status::Ok, "OK"))
}
