//! Payment providers' I/O: Stripe, PayPal and GoCardless over their REST APIs, webhook signature
//! checks. Nothing here
//! opens a transaction: services record what a call asks for, handlers and workers make the
//! call with the recorded idempotency key, then a service records its outcome.

pub mod gocardless;
pub mod paypal;
mod signature;
pub mod stripe;

use crate::config::PaymentSettings;
use crate::domain::money::Money;
use crate::domain::order::PaymentMethod;
use crate::domain::payment::{Charge, ProviderEvent};
pub use crate::domain::payment::{Opened, RefundReply};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Why a call to a provider gave nothing usable. The French text is for the customer; the
/// detail (never a secret) is for the log.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("le prestataire de paiement ne répond pas")]
    Unreachable(String),
    #[error("le prestataire de paiement a mis trop longtemps à répondre")]
    Timeout,
    #[error("le prestataire de paiement a refusé la demande")]
    Refused { status: u16, detail: String },
    #[error("le prestataire de paiement a répondu de façon inattendue")]
    Unexpected(String),
}

impl ProviderError {
    fn of(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ProviderError::Timeout
        } else {
            // Without the URL: it may carry an id, never a key, but the log needs neither.
            ProviderError::Unreachable(e.without_url().to_string())
        }
    }

    /// What the customer reads.
    pub fn message(&self) -> String {
        format!(
            "Le paiement en ligne n'a pas pu être ouvert ({self}). Rien n'a été débité : \
             réessayez, ou payez à la livraison ou au retrait."
        )
    }
}

/// The providers this installation has credentials for.
#[derive(Clone)]
pub struct Providers {
    pub stripe: Option<stripe::Stripe>,
    pub paypal: Option<paypal::Paypal>,
    pub gocardless: Option<gocardless::Gocardless>,
    /// Wakes the payments worker (a refund was asked for).
    wake: Arc<Notify>,
}

impl Providers {
    pub fn from_settings(s: &PaymentSettings) -> Providers {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(s.timeout_s))
            .connect_timeout(Duration::from_secs(s.timeout_s.min(5)))
            .build()
            .expect("the HTTP client builds with rustls");
        Providers {
            stripe: s
                .stripe
                .configured()
                .then(|| stripe::Stripe::new(http.clone(), &s.stripe)),
            paypal: s
                .paypal
                .configured()
                .then(|| paypal::Paypal::new(http.clone(), &s.paypal)),
            gocardless: s
                .gocardless
                .configured()
                .then(|| gocardless::Gocardless::new(http, &s.gocardless)),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the payments worker there is work (a refund to send) without waiting its poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    fn stripe(&self) -> Result<&stripe::Stripe, ProviderError> {
        self.stripe
            .as_ref()
            .ok_or_else(|| ProviderError::Unexpected("Stripe is not configured".into()))
    }

    fn paypal(&self) -> Result<&paypal::Paypal, ProviderError> {
        self.paypal
            .as_ref()
            .ok_or_else(|| ProviderError::Unexpected("PayPal is not configured".into()))
    }

    fn gocardless(&self) -> Result<&gocardless::Gocardless, ProviderError> {
        self.gocardless
            .as_ref()
            .ok_or_else(|| ProviderError::Unexpected("GoCardless is not configured".into()))
    }

    /// Opens the provider's hosted page for a charge.
    pub async fn open(
        &self,
        provider: PaymentMethod,
        charge: &Charge,
        public_url: &str,
    ) -> Result<Opened, ProviderError> {
        let now = chrono::Utc::now().timestamp();
        match provider {
            PaymentMethod::Stripe => self.stripe()?.create_session(charge, public_url, now).await,
            PaymentMethod::Paypal => self.paypal()?.create_order(charge, public_url).await,
            PaymentMethod::Gocardless => {
                let client = self.gocardless()?;
                client.create_billing_request(charge, public_url).await
            }
            other => Err(not_offered(other)),
        }
    }

    /// What became of an attempt, as an event for `services::payments::apply`.
    pub async fn state(
        &self,
        provider: PaymentMethod,
        provider_ref: &str,
    ) -> Result<ProviderEvent, ProviderError> {
        match provider {
            PaymentMethod::Stripe => self.stripe()?.session_state(provider_ref).await,
            PaymentMethod::Paypal => self.paypal()?.order_state(provider_ref).await,
            PaymentMethod::Gocardless => {
                let client = self.gocardless()?;
                client.billing_request_state(provider_ref).await
            }
            other => Err(not_offered(other)),
        }
    }

    /// Takes the money of an attempt its payer approved (PayPal), under a key derived from
    /// the attempt's: retried, it is taken once.
    pub async fn capture(
        &self,
        provider: PaymentMethod,
        provider_ref: &str,
        key: &str,
    ) -> Result<ProviderEvent, ProviderError> {
        match provider {
            PaymentMethod::Paypal => self.paypal()?.capture(provider_ref, key).await,
            // Stripe's pages take the money themselves, and GoCardless's payment is made when
            // its billing request is fulfilled: there is nothing to capture, only to read.
            other => self.state(other, provider_ref).await,
        }
    }

    /// Closes a page that must no longer be paid; false when it was not open any more.
    pub async fn close(
        &self,
        provider: PaymentMethod,
        provider_ref: &str,
    ) -> Result<bool, ProviderError> {
        match provider {
            PaymentMethod::Stripe => self.stripe()?.expire_session(provider_ref).await,
            // A PayPal order is paid only when we capture it, and an order no longer waiting
            // is never captured: it lapses at PayPal by itself.
            PaymentMethod::Paypal => self.paypal().map(|_| true),
            PaymentMethod::Gocardless => self.gocardless()?.cancel(provider_ref).await,
            other => Err(not_offered(other)),
        }
    }

    /// Gives back part or all of a payment.
    pub async fn refund(
        &self,
        provider: PaymentMethod,
        charge: &str,
        amount: Money,
        key: &str,
    ) -> Result<RefundReply, ProviderError> {
        match provider {
            PaymentMethod::Stripe => self.stripe()?.refund(charge, amount, key).await,
            PaymentMethod::Paypal => self.paypal()?.refund(charge, amount, key).await,
            PaymentMethod::Gocardless => self.gocardless()?.refund(charge, amount, key).await,
            other => Err(not_offered(other)),
        }
    }

    /// The online methods offered at checkout.
    pub fn offered(&self) -> Vec<PaymentMethod> {
        let mut offered = Vec::new();
        if self.stripe.is_some() {
            offered.push(PaymentMethod::Stripe);
        }
        if self.paypal.is_some() {
            offered.push(PaymentMethod::Paypal);
        }
        if self.gocardless.is_some() {
            offered.push(PaymentMethod::Gocardless);
        }
        offered
    }
}

fn not_offered(p: PaymentMethod) -> ProviderError {
    ProviderError::Unexpected(format!("{} is not configured", p.as_str()))
}

/// A provider's JSON answer, or `Refused` with the detail `detail` finds in its error body.
async fn reply(
    res: reqwest::Response,
    detail: fn(&Value) -> Option<String>,
) -> Result<Value, ProviderError> {
    let status = res.status();
    let body = res.text().await.map_err(ProviderError::of)?;
    if !status.is_success() {
        let detail = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| detail(&v))
            .unwrap_or_default();
        return Err(ProviderError::Refused {
            status: status.as_u16(),
            detail,
        });
    }
    serde_json::from_str(&body).map_err(|e| ProviderError::Unexpected(e.to_string()))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// An id as one path segment (providers' ids are letters and digits; anything else is
/// escaped).
fn path_part(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
