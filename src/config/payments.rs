//! Online payments: the workers' delays, the outbound calls' timeout, each provider's
//! credentials. A provider without credentials is not offered at checkout.

use super::{in_range, ConfigError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PaymentSettings {
    /// Minutes an online order waits for its payment before it is cancelled and its stock
    /// released (a payment confirmed later is refunded).
    pub expire_after_min: u64,
    /// Seconds an attempt may stay pending before its provider is asked about it (a lost
    /// webhook).
    pub reconcile_after_s: u64,
    /// Seconds between two runs of the payments worker (expiry, reconciliation, refunds).
    pub poll_s: u64,
    /// Seconds an outbound call to a provider may take before it counts as failed.
    pub timeout_s: u64,
    /// Stripe: "Carte bancaire".
    pub stripe: StripeSettings,
    /// PayPal: "PayPal".
    pub paypal: PaypalSettings,
    /// GoCardless: "Virement instantané".
    pub gocardless: GocardlessSettings,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        PaymentSettings {
            expire_after_min: 15,
            reconcile_after_s: 120,
            poll_s: 5,
            timeout_s: 10,
            stripe: StripeSettings::default(),
            paypal: PaypalSettings::default(),
            gocardless: GocardlessSettings::default(),
        }
    }
}

/// Stripe's API keys (Dashboard → Developers): never logged, never shown.
#[derive(Clone, Deserialize, Serialize)]
pub struct StripeSettings {
    /// The secret API key (`sk_live_…`); empty: Stripe is not offered.
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// The API's address (a local stand-in in tests).
    pub api_base: String,
    /// Where Stripe's hosted pages live: the checkout form may lead there (CSP form-action).
    pub checkout_origin: String,
}

impl Default for StripeSettings {
    fn default() -> Self {
        StripeSettings {
            secret_key: String::new(),
            webhook_secret: String::new(),
            api_base: "https://api.stripe.com".into(),
            checkout_origin: "https://checkout.stripe.com".into(),
        }
    }
}

/// The keys' presence is said, never their value.
impl fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeSettings")
            .field("secret_key", &redacted(&self.secret_key))
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .field("api_base", &self.api_base)
            .field("checkout_origin", &self.checkout_origin)
            .finish()
    }
}

/// PayPal's REST app credentials (Developer Dashboard → Apps & Credentials) and the id of the
/// webhook registered for this site: never logged, never shown.
#[derive(Clone, Deserialize, Serialize)]
pub struct PaypalSettings {
    /// The app's client id; empty: PayPal is not offered.
    pub client_id: String,
    pub client_secret: String,
    /// The webhook's id (PayPal checks our webhooks' signatures against it).
    pub webhook_id: String,
    /// The API's address: https://api-m.paypal.com (live) or https://api-m.sandbox.paypal.com.
    pub api_base: String,
    /// Where PayPal's approval pages live (CSP form-action): https://www.paypal.com, or
    /// https://www.sandbox.paypal.com.
    pub checkout_origin: String,
}

impl Default for PaypalSettings {
    fn default() -> Self {
        PaypalSettings {
            client_id: String::new(),
            client_secret: String::new(),
            webhook_id: String::new(),
            api_base: "https://api-m.paypal.com".into(),
            checkout_origin: "https://www.paypal.com".into(),
        }
    }
}

impl fmt::Debug for PaypalSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaypalSettings")
            .field("client_id", &redacted(&self.client_id))
            .field("client_secret", &redacted(&self.client_secret))
            .field("webhook_id", &redacted(&self.webhook_id))
            .field("api_base", &self.api_base)
            .field("checkout_origin", &self.checkout_origin)
            .finish()
    }
}

impl PaypalSettings {
    pub fn configured(&self) -> bool {
        !self.client_id.is_empty()
    }
}

/// GoCardless's access token (Dashboard → Developers → Create access token, read-write) and
/// the secret of the webhook endpoint registered for this site: never logged, never shown.
#[derive(Clone, Deserialize, Serialize)]
pub struct GocardlessSettings {
    /// The access token; empty: GoCardless is not offered.
    pub access_token: String,
    /// The webhook endpoint's secret (our webhooks' `Webhook-Signature` is checked with it).
    pub webhook_secret: String,
    /// The API's address: https://api.gocardless.com (live) or
    /// https://api-sandbox.gocardless.com.
    pub api_base: String,
    /// Where GoCardless's payment pages live (CSP form-action).
    pub checkout_origin: String,
}

impl Default for GocardlessSettings {
    fn default() -> Self {
        GocardlessSettings {
            access_token: String::new(),
            webhook_secret: String::new(),
            api_base: "https://api.gocardless.com".into(),
            checkout_origin: "https://pay.gocardless.com".into(),
        }
    }
}

impl fmt::Debug for GocardlessSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GocardlessSettings")
            .field("access_token", &redacted(&self.access_token))
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .field("api_base", &self.api_base)
            .field("checkout_origin", &self.checkout_origin)
            .finish()
    }
}

impl GocardlessSettings {
    pub fn configured(&self) -> bool {
        !self.access_token.is_empty()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        "(none)"
    } else {
        "(set)"
    }
}

impl StripeSettings {
    pub fn configured(&self) -> bool {
        !self.secret_key.is_empty()
    }
}

impl PaymentSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let minutes = self.expire_after_min as i64;
        in_range("OCPIZZA_PAYMENTS__EXPIRE_AFTER_MIN", minutes, 5, 1_440)?;
        let reconcile = self.reconcile_after_s as i64;
        in_range("OCPIZZA_PAYMENTS__RECONCILE_AFTER_S", reconcile, 10, 86_400)?;
        in_range("OCPIZZA_PAYMENTS__POLL_S", self.poll_s as i64, 1, 3_600)?;
        in_range("OCPIZZA_PAYMENTS__TIMEOUT_S", self.timeout_s as i64, 1, 120)?;
        let s = &self.stripe;
        if s.configured() && s.webhook_secret.is_empty() {
            return Err(ConfigError::Invalid(
                "OCPIZZA_PAYMENTS__STRIPE__WEBHOOK_SECRET must be set with the Stripe secret key \
                 (the webhook is what confirms payments)"
                    .into(),
            ));
        }
        let p = &self.paypal;
        if p.configured() && (p.client_secret.is_empty() || p.webhook_id.is_empty()) {
            return Err(ConfigError::Invalid(
                "OCPIZZA_PAYMENTS__PAYPAL__CLIENT_SECRET and OCPIZZA_PAYMENTS__PAYPAL__WEBHOOK_ID \
                 must be set with the PayPal client id (the webhook is what confirms payments)"
                    .into(),
            ));
        }
        let g = &self.gocardless;
        if g.configured() && g.webhook_secret.is_empty() {
            return Err(ConfigError::Invalid(
                "OCPIZZA_PAYMENTS__GOCARDLESS__WEBHOOK_SECRET must be set with the GoCardless \
                 access token (the webhook is what confirms payments)"
                    .into(),
            ));
        }
        let addresses = [
            ("STRIPE__API_BASE", &s.api_base),
            ("STRIPE__CHECKOUT_ORIGIN", &s.checkout_origin),
            ("PAYPAL__API_BASE", &p.api_base),
            ("PAYPAL__CHECKOUT_ORIGIN", &p.checkout_origin),
            ("GOCARDLESS__API_BASE", &g.api_base),
            ("GOCARDLESS__CHECKOUT_ORIGIN", &g.checkout_origin),
        ];
        for (name, value) in addresses {
            match url::Url::parse(value) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && !value.contains([' ', ';', '\'']) => {}
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "OCPIZZA_PAYMENTS__{name} must be an http(s) address"
                    )))
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_set() -> PaymentSettings {
        let mut s = PaymentSettings::default();
        s.stripe.secret_key = "sk_live_SECRET1".into();
        s.stripe.webhook_secret = "whsec_SECRET2".into();
        s.paypal.client_id = "ASECRET3".into();
        s.paypal.client_secret = "ESECRET4".into();
        s.paypal.webhook_id = "SECRET5".into();
        s.gocardless.access_token = "live_SECRET6".into();
        s.gocardless.webhook_secret = "SECRET7".into();
        s
    }

    #[test]
    fn no_provider_secret_is_ever_printed() {
        let shown = format!("{:?}", all_set());

        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("(set)") && shown.contains("https://api.gocardless.com"));
        assert!(all_set().validate().is_ok());
    }

    #[test]
    fn a_provider_without_its_webhook_secret_is_refused() {
        let mut s = all_set();
        s.gocardless.webhook_secret.clear();
        let refused = s.validate().unwrap_err().to_string();
        assert!(refused.contains("GOCARDLESS__WEBHOOK_SECRET"), "{refused}");

        let mut s = all_set();
        s.gocardless.api_base = "api.gocardless.com".into();
        let refused = s.validate().unwrap_err().to_string();
        assert!(refused.contains("GOCARDLESS__API_BASE"), "{refused}");
    }
}
