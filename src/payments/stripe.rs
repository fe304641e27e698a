//! Stripe: Checkout Sessions (the hosted page), their state, their expiry, refunds, and the
//! webhook's `Stripe-Signature`. Form-encoded requests with bracketed keys, amounts in integer
//! cents, `Idempotency-Key` on every create.

pub use super::signature::{sign, verify_signature, SignatureError};
use super::{path_part, reply, text, Opened, ProviderError, RefundReply};
use crate::config::StripeSettings;
use crate::domain::money::Money;
use crate::domain::payment::{Charge, Happened, ProviderEvent};
use serde_json::Value;

/// The API version our requests and the shapes we read are written against.
pub const API_VERSION: &str = "2024-06-20";
/// Stripe refuses a session that expires sooner than this after its creation.
const MIN_SESSION_S: i64 = 30 * 60 + 60;

#[derive(Clone)]
pub struct Stripe {
    http: reqwest::Client,
    key: String,
    webhook_secret: String,
    base: String,
}

impl Stripe {
    pub fn new(http: reqwest::Client, s: &StripeSettings) -> Stripe {
        Stripe {
            http,
            key: s.secret_key.clone(),
            webhook_secret: s.webhook_secret.clone(),
            base: s.api_base.trim_end_matches('/').to_string(),
        }
    }

    async fn post(
        &self,
        path: &str,
        form: String,
        idempotency_key: Option<&str>,
    ) -> Result<Value, ProviderError> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("Stripe-Version", API_VERSION)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        reply(req.send().await.map_err(ProviderError::of)?, error_detail).await
    }

    /// Opens a Checkout Session for a charge; the customer comes back to `public_url`.
    pub async fn create_session(
        &self,
        charge: &Charge,
        public_url: &str,
        now: i64,
    ) -> Result<Opened, ProviderError> {
        let form = session_form(charge, public_url, now);
        let session = self
            .post("/v1/checkout/sessions", form, Some(&charge.key))
            .await?;
        match (text(&session, "id"), text(&session, "url")) {
            (Some(id), Some(url)) => Ok(Opened {
                provider_ref: id,
                url,
            }),
            _ => Err(ProviderError::Unexpected(
                "session without id or url".into(),
            )),
        }
    }

    /// What a session has become, as an event of our own (the same path as a webhook).
    pub async fn session_state(&self, id: &str) -> Result<ProviderEvent, ProviderError> {
        let res = self
            .http
            .get(format!(
                "{}/v1/checkout/sessions/{}",
                self.base,
                path_part(id)
            ))
            .bearer_auth(&self.key)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(ProviderError::of)?;
        let session = reply(res, error_detail).await?;
        let happened = session_happened(&session);
        Ok(ProviderEvent {
            event_id: format!("retrieved:{id}:{}", happened.name()),
            event_type: "checkout.session.retrieved".into(),
            attempt: text(&session, "client_reference_id"),
            provider_ref: Some(id.to_string()),
            happened,
        })
    }

    /// Closes a session still open; false when it was not open any more (paid, or expired
    /// already): the caller asks what it became.
    pub async fn expire_session(&self, id: &str) -> Result<bool, ProviderError> {
        let path = format!("/v1/checkout/sessions/{}/expire", path_part(id));
        match self.post(&path, String::new(), None).await {
            Ok(_) => Ok(true),
            Err(ProviderError::Refused { status: 400, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Refunds part or all of a payment (its payment intent).
    pub async fn refund(
        &self,
        payment_intent: &str,
        amount: Money,
        key: &str,
    ) -> Result<RefundReply, ProviderError> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("payment_intent", payment_intent)
            .append_pair("amount", &amount.cents().to_string())
            .append_pair("metadata[refund]", key)
            .finish();
        let refund = self.post("/v1/refunds", form, Some(key)).await?;
        let provider_ref = text(&refund, "id")
            .ok_or_else(|| ProviderError::Unexpected("refund without id".into()))?;
        Ok(RefundReply {
            provider_ref,
            succeeded: refund_settled(&refund),
        })
    }

    /// Checks a webhook's `Stripe-Signature` against its raw body.
    pub fn verify(
        &self,
        header: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        verify_signature(&self.webhook_secret, header, body, now)
    }
}

/// The body of a Checkout Session create.
fn session_form(c: &Charge, public_url: &str, now: i64) -> String {
    let base = public_url.trim_end_matches('/');
    let mut f = url::form_urlencoded::Serializer::new(String::new());
    f.append_pair("mode", "payment")
        .append_pair("locale", "fr")
        .append_pair("currency", "eur")
        .append_pair(
            "success_url",
            &format!(
                "{base}/payments/stripe/return?order={}&session_id={{CHECKOUT_SESSION_ID}}",
                c.order_token
            ),
        )
        .append_pair(
            "cancel_url",
            &format!("{base}/orders/{}/payment?annule=1", c.order_token),
        )
        .append_pair("client_reference_id", &c.key)
        .append_pair("customer_email", &c.email)
        .append_pair("metadata[attempt]", &c.key)
        .append_pair("metadata[order]", &c.order_label)
        .append_pair("payment_intent_data[metadata][attempt]", &c.key)
        .append_pair(
            "payment_intent_data[description]",
            &format!("OC Pizza {} — commande {}", c.pizzeria, c.order_label),
        )
        .append_pair(
            "expires_at",
            &c.expires_at.max(now + MIN_SESSION_S).to_string(),
        );
    for (i, l) in c.lines.iter().enumerate() {
        let p = format!("line_items[{i}]");
        f.append_pair(&format!("{p}[quantity]"), &l.quantity.to_string())
            .append_pair(&format!("{p}[price_data][currency]"), "eur")
            .append_pair(
                &format!("{p}[price_data][unit_amount]"),
                &l.unit.cents().to_string(),
            )
            .append_pair(&format!("{p}[price_data][product_data][name]"), &l.name);
    }
    f.finish()
}

/// Stripe's error text: `{"error": {"message": …}}`.
fn error_detail(v: &Value) -> Option<String> {
    text(&v["error"], "message")
}

/// A Checkout Session's `status` and `payment_status`, as what happened to the attempt.
fn session_happened(s: &Value) -> Happened {
    let paid = text(s, "payment_status").as_deref() == Some("paid");
    match text(s, "status").as_deref() {
        Some("complete") if paid => Happened::Paid {
            amount: s["amount_total"].as_i64().map(Money::from_cents),
            charge: text(s, "payment_intent"),
        },
        Some("expired") => Happened::Expired,
        _ => Happened::Pending,
    }
}

/// A refund's end: Some(true) succeeded, Some(false) failed or canceled, None still pending.
fn refund_settled(r: &Value) -> Option<bool> {
    match text(r, "status").as_deref() {
        Some("succeeded") => Some(true),
        Some("failed" | "canceled") => Some(false),
        _ => None,
    }
}

/// A verified webhook body as an event; None for a type that changes nothing here.
pub fn parse_event(body: &[u8]) -> Result<Option<ProviderEvent>, String> {
    let event: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let id = text(&event, "id").ok_or("event without id")?;
    let kind = text(&event, "type").ok_or("event without type")?;
    let object = &event["data"]["object"];
    let happened = match kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            match session_happened(object) {
                // Completed but not paid yet: an asynchronous method, settled by a later event.
                Happened::Pending => return Ok(None),
                h => h,
            }
        }
        "checkout.session.async_payment_failed" => Happened::Failed,
        "checkout.session.expired" => Happened::Expired,
        "refund.created" | "refund.updated" | "refund.failed" => {
            let Some(succeeded) = refund_settled(object) else {
                return Ok(None);
            };
            // A refund made in Stripe's Dashboard is not ours to settle.
            let Some(key) = text(&object["metadata"], "refund") else {
                return Ok(None);
            };
            Happened::Refund { key, succeeded }
        }
        _ => return Ok(None),
    };
    let is_session = kind.starts_with("checkout.session.");
    Ok(Some(ProviderEvent {
        event_id: id,
        event_type: kind,
        attempt: is_session
            .then(|| text(object, "client_reference_id"))
            .flatten(),
        provider_ref: is_session.then(|| text(object, "id")).flatten(),
        happened,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_paid_or_expired_is_read_as_such() {
        let paid = serde_json::json!({"status":"complete","payment_status":"paid",
            "amount_total":2300,"payment_intent":"pi_1"});
        assert_eq!(
            session_happened(&paid),
            Happened::Paid {
                amount: Some(Money::from_cents(2300)),
                charge: Some("pi_1".into())
            }
        );
        let open = serde_json::json!({"status":"open","payment_status":"unpaid"});
        assert_eq!(session_happened(&open), Happened::Pending);
        let expired = serde_json::json!({"status":"expired","payment_status":"unpaid"});
        assert_eq!(session_happened(&expired), Happened::Expired);
    }
}
