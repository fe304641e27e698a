//! GoCardless: a Billing Request carrying one payment request (amount in integer cents, EUR),
//! then a Billing Request Flow whose authorisation page the payer is sent to; the payment's
//! state read back, refunds, and webhooks signed with the endpoint's secret (`Webhook-Signature`:
//! hex HMAC-SHA256 of the raw body), several events a request. JSON bodies wrapped in the
//! resource's name, a bearer access token and `GoCardless-Version` on every call,
//! `Idempotency-Key` on every create that can move money.

use super::{path_part, reply, text, Opened, ProviderError, RefundReply};
use crate::config::GocardlessSettings;
use crate::domain::money::Money;
use crate::domain::payment::{Charge, Happened, ProviderEvent};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

/// The API version every call names.
pub const VERSION: &str = "2015-07-06";

/// How the detail of a refused create starts when its idempotency key was used already; the
/// id of what the first create made follows.
const CONFLICT: &str = "idempotent_creation_conflict:";

#[derive(Clone)]
pub struct Gocardless {
    http: reqwest::Client,
    token: String,
    webhook_secret: String,
    base: String,
}

impl Gocardless {
    pub fn new(http: reqwest::Client, s: &GocardlessSettings) -> Gocardless {
        Gocardless {
            http,
            token: s.access_token.clone(),
            webhook_secret: s.webhook_secret.clone(),
            base: s.api_base.trim_end_matches('/').to_string(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<Value, ProviderError> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("GoCardless-Version", VERSION)
            .header("Accept", "application/json");
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        reply(req.send().await.map_err(ProviderError::of)?, error_detail).await
    }

    /// A create under an idempotency key; made already (a retry after a timeout), what the
    /// first one made is read instead of making a second.
    async fn create(
        &self,
        resource: &str,
        body: &Value,
        key: &str,
    ) -> Result<Value, ProviderError> {
        let path = format!("/{resource}");
        match self.call(Method::POST, &path, Some(body), Some(key)).await {
            Ok(v) => Ok(v[resource].clone()),
            Err(ProviderError::Refused {
                status: 409,
                detail,
            }) if detail.starts_with(CONFLICT) => {
                let first = &detail[CONFLICT.len()..];
                self.read(resource, first).await
            }
            Err(e) => Err(e),
        }
    }

    async fn read(&self, resource: &str, id: &str) -> Result<Value, ProviderError> {
        let path = format!("/{resource}/{}", path_part(id));
        Ok(self.call(Method::GET, &path, None, None).await?[resource].clone())
    }

    /// The Billing Request of a charge, then its flow: the payer authorises the payment on
    /// the flow's page. A flow moves no money (a second one leads to the same single payment),
    /// so it is made without a key.
    pub async fn create_billing_request(
        &self,
        charge: &Charge,
        public_url: &str,
    ) -> Result<Opened, ProviderError> {
        let request = self
            .create(
                "billing_requests",
                &billing_request_body(charge),
                &charge.key,
            )
            .await?;
        let id = text(&request, "id")
            .ok_or_else(|| ProviderError::Unexpected("billing request without id".into()))?;
        let flow = flow_body(&id, charge, public_url);
        let flow = self
            .call(Method::POST, "/billing_request_flows", Some(&flow), None)
            .await?;
        let url = text(&flow["billing_request_flows"], "authorisation_url")
            .ok_or_else(|| ProviderError::Unexpected("flow without authorisation_url".into()))?;
        Ok(Opened {
            provider_ref: id,
            url,
        })
    }

    /// What a billing request has become, its payment read when there is one, as an event of
    /// our own (the same path as a webhook).
    pub async fn billing_request_state(&self, id: &str) -> Result<ProviderEvent, ProviderError> {
        let request = self.read("billing_requests", id).await?;
        let happened = match text(&request, "status").as_deref() {
            Some("fulfilled") => match text(&request["links"], "payment_request_payment") {
                Some(payment) => match payment_happened(&self.read("payments", &payment).await?) {
                    Happened::Pending => Happened::InFlight { charge: payment },
                    other => other,
                },
                None => Happened::Pending,
            },
            Some("cancelled") => Happened::Expired,
            _ => Happened::Pending,
        };
        Ok(ProviderEvent {
            event_id: format!("retrieved:{id}:{}", happened.name()),
            event_type: "billing_request.retrieved".into(),
            attempt: text(&request["metadata"], "attempt"),
            provider_ref: Some(id.to_string()),
            happened,
        })
    }

    /// Cancels a billing request that must no longer be paid; false when it could not be
    /// (fulfilled or cancelled already).
    pub async fn cancel(&self, id: &str) -> Result<bool, ProviderError> {
        let path = format!("/billing_requests/{}/actions/cancel", path_part(id));
        let body = json!({ "data": {} });
        match self.call(Method::POST, &path, Some(&body), None).await {
            Ok(_) => Ok(true),
            Err(ProviderError::Refused { status: 422, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Refunds part or all of a payment.
    pub async fn refund(
        &self,
        payment: &str,
        amount: Money,
        key: &str,
    ) -> Result<RefundReply, ProviderError> {
        // GoCardless wants the total refunded on the payment, this refund included: a refund
        // made twice by mistake would not add up.
        let refunded = self.read("payments", payment).await?["amount_refunded"]
            .as_i64()
            .unwrap_or(0);
        let body = json!({ "refunds": {
            "amount": amount.cents(),
            "total_amount_confirmation": refunded + amount.cents(),
            "reference": "OC Pizza remboursement",
            "metadata": { "key": key },
            "links": { "payment": payment },
        }});
        let refund = self.create("refunds", &body, key).await?;
        let provider_ref = text(&refund, "id")
            .ok_or_else(|| ProviderError::Unexpected("refund without id".into()))?;
        Ok(RefundReply {
            provider_ref,
            succeeded: refund_settled(text(&refund, "status").as_deref()),
        })
    }

    /// Whether a webhook comes from GoCardless, unaltered: its `Webhook-Signature` is the hex
    /// HMAC-SHA256 of the raw body under the endpoint's secret (compared in constant time).
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> bool {
        let Some(expected) = signature.and_then(from_hex) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.webhook_secret.as_bytes()).expect("any length");
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }
}

/// The `Webhook-Signature` GoCardless sends with a body (the signing side: the tests'
/// stand-in).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() % 2 != 0 || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One payment request of the order's total; our key in both metadata, so that the payment
/// made from it, and its events, name the attempt.
fn billing_request_body(c: &Charge) -> Value {
    let description: String = format!("OC Pizza {}, commande {}", c.pizzeria, c.order_label)
        .chars()
        .take(100)
        .collect();
    json!({ "billing_requests": {
        "payment_request": {
            "amount": c.amount.cents(),
            "currency": "EUR",
            "description": description,
            "metadata": { "attempt": c.key },
        },
        "metadata": { "attempt": c.key, "order": c.order_label },
    }})
}

fn flow_body(request: &str, c: &Charge, public_url: &str) -> Value {
    let base = public_url.trim_end_matches('/');
    let mut flow = json!({
        "redirect_uri": format!("{base}/payments/gocardless/return?order={}", c.order_token),
        "exit_uri": format!("{base}/orders/{}/payment?annule=1", c.order_token),
        "language": "fr",
        "lock_currency": true,
        "links": { "billing_request": request },
    });
    if !c.email.is_empty() {
        flow["prefilled_customer"] = json!({ "email": c.email });
    }
    json!({ "billing_request_flows": flow })
}

/// GoCardless's error: the first error's reason (with the id of what the first create made,
/// for an idempotency conflict), else the error's type.
fn error_detail(v: &Value) -> Option<String> {
    let e = &v["error"];
    let first = &e["errors"][0];
    match text(first, "reason") {
        Some(r) if r == "idempotent_creation_conflict" => {
            let id = text(&first["links"], "conflicting_resource_id")?;
            Some(format!("{CONFLICT}{id}"))
        }
        Some(r) => Some(r),
        None => text(e, "type"),
    }
}

/// What a payment's status says. Confirmed (collected) or paid out: the money is ours.
fn payment_happened(p: &Value) -> Happened {
    match text(p, "status").as_deref() {
        Some("confirmed" | "paid_out") => Happened::Paid {
            amount: p["amount"].as_i64().map(Money::from_cents),
            charge: text(p, "id"),
        },
        Some("failed" | "cancelled" | "customer_approval_denied") => Happened::Failed,
        _ => Happened::Pending,
    }
}

/// A refund's end: Some(true) paid to the customer, Some(false) it did not reach them.
fn refund_settled(status: Option<&str>) -> Option<bool> {
    match status {
        Some("paid") => Some(true),
        Some("failed" | "cancelled" | "bounced" | "funds_returned") => Some(false),
        _ => None,
    }
}

/// The events of a verified webhook body that concern us, each as an event of ours. The
/// attempt is named by the metadata GoCardless sends with each event (`resource_metadata`);
/// a billing request fulfilled is a sign to read its payment at once (the worker does).
pub fn parse_events(body: &[u8]) -> Result<Vec<ProviderEvent>, String> {
    let batch: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let events = batch["events"].as_array().ok_or("no events")?;
    let mut ours = Vec::new();
    for e in events {
        ours.extend(parse_event(e)?);
    }
    Ok(ours)
}

/// One event of a batch; None when it is not about an attempt or a refund of ours.
fn parse_event(e: &Value) -> Result<Option<ProviderEvent>, String> {
    let id = text(e, "id").ok_or("event without id")?;
    let kind = format!(
        "{}.{}",
        text(e, "resource_type").ok_or("event without resource_type")?,
        text(e, "action").ok_or("event without action")?
    );
    let links = &e["links"];
    let attempt = text(&e["resource_metadata"], "attempt");
    let (request, happened) = match kind.as_str() {
        "payments.confirmed" | "payments.paid_out" => {
            let charge = text(links, "payment");
            (
                None,
                Happened::Paid {
                    amount: None,
                    charge,
                },
            )
        }
        "payments.failed" | "payments.cancelled" | "payments.customer_approval_denied" => {
            (None, Happened::Failed)
        }
        // The payment is made and on its way; without its id, a sign to read it at once.
        "billing_requests.fulfilled" => {
            let happened = match text(links, "payment_request_payment") {
                Some(charge) => Happened::InFlight { charge },
                None => Happened::Approved,
            };
            (text(links, "billing_request"), happened)
        }
        "billing_requests.cancelled" => (text(links, "billing_request"), Happened::Expired),
        "refunds.paid"
        | "refunds.failed"
        | "refunds.cancelled"
        | "refunds.bounced"
        | "refunds.funds_returned" => {
            let settled = refund_settled(kind.strip_prefix("refunds."));
            // A refund made in GoCardless's dashboard carries no key of ours.
            let key = text(&e["resource_metadata"], "key");
            let (Some(key), Some(succeeded)) = (key, settled) else {
                return Ok(None);
            };
            return Ok(Some(ProviderEvent {
                event_id: id,
                event_type: kind,
                attempt: None,
                provider_ref: None,
                happened: Happened::Refund { key, succeeded },
            }));
        }
        _ => return Ok(None),
    };
    if attempt.is_none() && request.is_none() {
        return Ok(None);
    }
    Ok(Some(ProviderEvent {
        event_id: id,
        event_type: kind,
        attempt,
        provider_ref: request,
        happened,
    }))
}

#[cfg(test)]
#[path = "gocardless_tests.rs"]
mod tests;
