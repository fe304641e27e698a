//! Webhooks: the providers telling us what happened to a payment or a refund. The source of
//! truth: the signature proves the sender and the body, the event is applied once (its id
//! recorded with its effect), and the answer comes fast: no provider call here. No CSRF token
//! (the signature authenticates), and bodies larger than Rocket's default limit.

use crate::domain::order::PaymentMethod;
use crate::payments::stripe;
use crate::services::payments::{self, Applied};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use rocket::data::{Data, ToByteUnit};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{post, routes, Route, State};

/// Larger than any event a provider sends (Stripe's are a few KiB, a GoCardless batch more).
const BODY_LIMIT_KIB: u64 = 1024;

pub fn routes() -> Vec<Route> {
    routes![stripe_webhook]
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
    let applied = state
        .db
        .run(move |c| payments::apply(c, PaymentMethod::Stripe, &event))
        .await??;
    if let Applied::Done(p) = applied {
        state.hub.order_changed(p);
        // A refund may have been asked for (a payment too late, or twice).
        state.payments.wake();
    }
    Ok((Status::Ok, "OK"))
}
