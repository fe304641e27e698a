//! PayPal: Orders v2 (the approval page, then the capture once the payer approved), Payments
//! v2 refunds, and webhooks checked by PayPal's verify-webhook-signature API. JSON bodies,
//! amounts as decimal strings in euros, an OAuth2 client-credentials token kept until shortly
//! before it expires, `PayPal-Request-Id` on every create, capture and refund.

use super::{path_part, reply, text, Opened, ProviderError, RefundReply};
use crate::config::PaypalSettings;
use crate::domain::money::Money;
use crate::domain::payment::{Charge, Happened, ProviderEvent};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[path = "paypal_amounts.rs"]
mod amounts;
pub use amounts::{cents, decimal};

/// A token is renewed this long before PayPal says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Paypal {
    http: reqwest::Client,
    client_id: String,
    secret: String,
    webhook_id: String,
    base: String,
    /// The access token and until when it is used.
    token: Arc<Mutex<Option<(String, Instant)>>>,
}

/// The headers PayPal sends a webhook with, for PayPal to check.
#[derive(Debug, Clone, Default)]
pub struct Transmission {
    pub id: String,
    pub time: String,
    pub sig: String,
    pub cert_url: String,
    pub auth_algo: String,
}

impl Paypal {
    pub fn new(http: reqwest::Client, s: &PaypalSettings) -> Paypal {
        Paypal {
            http,
            client_id: s.client_id.clone(),
            secret: s.client_secret.clone(),
            webhook_id: s.webhook_id.clone(),
            base: s.api_base.trim_end_matches('/').to_string(),
            token: Arc::default(),
        }
    }

    /// The access token, asked for (client credentials) when there is none or it is about
    /// to expire. One request at a time asks; the others wait for its answer.
    async fn token(&self) -> Result<String, ProviderError> {
        let mut held = self.token.lock().await;
        if let Some((token, until)) = held.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let res = self
            .http
            .post(format!("{}/v1/oauth2/token", self.base))
            .basic_auth(&self.client_id, Some(&self.secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(ProviderError::of)?;
        let v = reply(res, error_detail).await?;
        let token = text(&v, "access_token")
            .ok_or_else(|| ProviderError::Unexpected("token without access_token".into()))?;
        let lasts = Duration::from_secs(v["expires_in"].as_u64().unwrap_or(0));
        *held = Some((
            token.clone(),
            Instant::now() + lasts.saturating_sub(TOKEN_MARGIN),
        ));
        Ok(token)
    }

    async fn send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<Value, ProviderError> {
        let token = self.token().await?;
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Prefer", "return=representation");
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        if let Some(id) = request_id {
            req = req.header("PayPal-Request-Id", id);
        }
        reply(req.send().await.map_err(ProviderError::of)?, error_detail).await
    }

    /// A call with the token; a 401 (the token revoked or expired early) renews it once.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<Value, ProviderError> {
        match self.send(&method, path, body, request_id).await {
            Err(ProviderError::Refused { status: 401, .. }) => {
                *self.token.lock().await = None;
                self.send(&method, path, body, request_id).await
            }
            other => other,
        }
    }

    /// Creates the PayPal order of a charge; the payer approves it on PayPal's page.
    pub async fn create_order(
        &self,
        charge: &Charge,
        public_url: &str,
    ) -> Result<Opened, ProviderError> {
        let body = order_body(charge, public_url).to_string();
        let order = self
            .call(
                Method::POST,
                "/v2/checkout/orders",
                Some(&body),
                Some(&charge.key),
            )
            .await?;
        let link = order["links"].as_array().and_then(|links| {
            links
                .iter()
                .find(|l| matches!(l["rel"].as_str(), Some("payer-action" | "approve")))
                .and_then(|l| text(l, "href"))
        });
        match (text(&order, "id"), link) {
            (Some(id), Some(url)) => Ok(Opened {
                provider_ref: id,
                url,
            }),
            _ => Err(ProviderError::Unexpected(
                "order without id or approval link".into(),
            )),
        }
    }

    /// What an order has become, as an event of our own (the same path as a webhook).
    pub async fn order_state(&self, id: &str) -> Result<ProviderEvent, ProviderError> {
        let path = format!("/v2/checkout/orders/{}", path_part(id));
        let order = self.call(Method::GET, &path, None, None).await?;
        Ok(order_event(&order, id, "retrieved"))
    }

    /// Takes the money of an approved order. Retried under the same `PayPal-Request-Id`, a
    /// capture is made once; an order captured already is read instead.
    pub async fn capture(&self, id: &str, key: &str) -> Result<ProviderEvent, ProviderError> {
        let path = format!("/v2/checkout/orders/{}/capture", path_part(id));
        let request_id = format!("{key}-capture");
        match self
            .call(Method::POST, &path, Some("{}"), Some(&request_id))
            .await
        {
            Ok(order) => Ok(order_event(&order, id, "captured")),
            Err(ProviderError::Refused {
                status: 422,
                detail,
            }) => match detail.as_str() {
                "ORDER_ALREADY_CAPTURED" => self.order_state(id).await,
                "INSTRUMENT_DECLINED" | "PAYER_CANNOT_PAY" | "TRANSACTION_REFUSED" => {
                    Ok(ProviderEvent {
                        event_id: format!("captured:{id}:declined"),
                        event_type: "capture.declined".into(),
                        attempt: None,
                        provider_ref: Some(id.to_string()),
                        happened: Happened::Failed,
                    })
                }
                _ => Err(ProviderError::Refused {
                    status: 422,
                    detail,
                }),
            },
            Err(e) => Err(e),
        }
    }

    /// Refunds part or all of a capture.
    pub async fn refund(
        &self,
        capture: &str,
        amount: Money,
        key: &str,
    ) -> Result<RefundReply, ProviderError> {
        let body = json!({
            "amount": { "currency_code": "EUR", "value": decimal(amount) },
            "custom_id": key,
            "note_to_payer": "Remboursement de votre commande OC Pizza",
        })
        .to_string();
        let path = format!("/v2/payments/captures/{}/refund", path_part(capture));
        let refund = self
            .call(Method::POST, &path, Some(&body), Some(key))
            .await?;
        let provider_ref = text(&refund, "id")
            .ok_or_else(|| ProviderError::Unexpected("refund without id".into()))?;
        Ok(RefundReply {
            provider_ref,
            succeeded: refund_settled(&refund),
        })
    }

    /// Asks PayPal whether a webhook is its own: the headers and the body exactly as they
    /// came. Ok(false) when PayPal says the signature does not hold.
    pub async fn verify(&self, t: &Transmission, body: &[u8]) -> Result<bool, ProviderError> {
        let event = std::str::from_utf8(body)
            .ok()
            .filter(|b| serde_json::from_str::<Value>(b).is_ok_and(|v| v.is_object()));
        let Some(event) = event else {
            return Ok(false);
        };
        let head = json!({
            "auth_algo": t.auth_algo, "cert_url": t.cert_url, "transmission_id": t.id,
            "transmission_sig": t.sig, "transmission_time": t.time, "webhook_id": self.webhook_id,
        })
        .to_string();
        // The event goes as received: re-encoded, its signature would not hold.
        let body = format!("{},\"webhook_event\":{event}}}", &head[..head.len() - 1]);
        let v = self
            .call(
                Method::POST,
                "/v1/notifications/verify-webhook-signature",
                Some(&body),
                None,
            )
            .await?;
        Ok(text(&v, "verification_status").as_deref() == Some("SUCCESS"))
    }
}

/// The body of an order create: one purchase unit whose items add up to its amount.
fn order_body(c: &Charge, public_url: &str) -> Value {
    let base = public_url.trim_end_matches('/');
    let eur = |m: Money| json!({ "currency_code": "EUR", "value": decimal(m) });
    let items: Vec<Value> = c
        .lines
        .iter()
        .map(|l| {
            json!({ "name": l.name.chars().take(127).collect::<String>(),
                "quantity": l.quantity.to_string(), "unit_amount": eur(l.unit),
                "category": "PHYSICAL_GOODS" })
        })
        .collect();
    let mut paypal = json!({ "experience_context": {
        "brand_name": format!("OC Pizza {}", c.pizzeria).chars().take(127).collect::<String>(),
        "locale": "fr-FR",
        "landing_page": "NO_PREFERENCE",
        "shipping_preference": "NO_SHIPPING",
        "user_action": "PAY_NOW",
        "payment_method_preference": "IMMEDIATE_PAYMENT_REQUIRED",
        "return_url": format!("{base}/payments/paypal/return?order={}", c.order_token),
        "cancel_url": format!("{base}/orders/{}/payment?annule=1", c.order_token),
    }});
    if !c.email.is_empty() {
        paypal["email_address"] = json!(c.email);
    }
    json!({
        "intent": "CAPTURE",
        "purchase_units": [{
            "reference_id": c.order_label,
            "custom_id": c.key,
            "invoice_id": c.key,
            "amount": { "currency_code": "EUR", "value": decimal(c.amount),
                "breakdown": { "item_total": eur(c.amount) } },
            "items": items,
        }],
        "payment_source": { "paypal": paypal },
    })
}

/// PayPal's error: the first detail's `issue` (ORDER_ALREADY_CAPTURED…), else its `name`, else
/// OAuth's `error`.
fn error_detail(v: &Value) -> Option<String> {
    v["details"]
        .get(0)
        .and_then(|d| text(d, "issue"))
        .or_else(|| text(v, "name"))
        .or_else(|| text(v, "error"))
}

/// The first purchase unit's first capture, if any.
fn first_capture(order: &Value) -> &Value {
    &order["purchase_units"][0]["payments"]["captures"][0]
}

/// What a capture says: paid, pending, or refused.
fn capture_happened(capture: &Value) -> Happened {
    match text(capture, "status").as_deref() {
        Some("COMPLETED") => Happened::Paid {
            amount: text(&capture["amount"], "value")
                .and_then(|v| cents(&v))
                .map(Money::from_cents),
            charge: text(capture, "id"),
        },
        Some("DECLINED" | "FAILED") => Happened::Failed,
        _ => Happened::Pending,
    }
}

/// An order (read, or answered to its capture) as an event.
fn order_event(order: &Value, id: &str, how: &str) -> ProviderEvent {
    let happened = match text(order, "status").as_deref() {
        Some("COMPLETED") => capture_happened(first_capture(order)),
        Some("APPROVED") => Happened::Approved,
        Some("VOIDED") => Happened::Expired,
        _ => Happened::Pending,
    };
    ProviderEvent {
        event_id: format!("{how}:{id}:{}", happened.name()),
        event_type: format!("order.{how}"),
        attempt: text(&order["purchase_units"][0], "custom_id"),
        provider_ref: Some(id.to_string()),
        happened,
    }
}

/// A refund's end: Some(true) completed, Some(false) failed or cancelled, None still pending.
fn refund_settled(r: &Value) -> Option<bool> {
    match text(r, "status").as_deref() {
        Some("COMPLETED") => Some(true),
        Some("FAILED" | "CANCELLED") => Some(false),
        _ => None,
    }
}

/// A verified webhook body as an event; None for a type that changes nothing here.
pub fn parse_event(body: &[u8]) -> Result<Option<ProviderEvent>, String> {
    let event: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let id = text(&event, "id").ok_or("event without id")?;
    let kind = text(&event, "event_type").ok_or("event without event_type")?;
    let r = &event["resource"];
    let capture_order = || text(&r["supplementary_data"]["related_ids"], "order_id");
    let (attempt, order, happened) = match kind.as_str() {
        "CHECKOUT.ORDER.APPROVED" => (
            text(&r["purchase_units"][0], "custom_id"),
            text(r, "id"),
            Happened::Approved,
        ),
        "CHECKOUT.PAYMENT-APPROVAL.REVERSED" => (
            text(&r["purchase_units"][0], "custom_id"),
            text(r, "order_id"),
            Happened::Failed,
        ),
        "PAYMENT.CAPTURE.COMPLETED" | "PAYMENT.CAPTURE.DECLINED" | "PAYMENT.CAPTURE.DENIED" => {
            (text(r, "custom_id"), capture_order(), capture_happened(r))
        }
        "PAYMENT.CAPTURE.REFUNDED" => {
            // A refund made in PayPal's dashboard carries no key of ours: not ours to settle.
            let (Some(key), Some(succeeded)) = (text(r, "custom_id"), refund_settled(r)) else {
                return Ok(None);
            };
            (None, None, Happened::Refund { key, succeeded })
        }
        _ => return Ok(None),
    };
    if happened == Happened::Pending {
        return Ok(None);
    }
    Ok(Some(ProviderEvent {
        event_id: id,
        event_type: kind,
        attempt,
        provider_ref: order,
        happened,
    }))
}

#[cfg(test)]
#[path = "paypal_tests.rs"]
mod tests;
