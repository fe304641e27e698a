//! Fresh random tokens (256 bits from the operating system's generator).

use crate::domain::token::{AccountToken, CheckoutKey, CsrfToken, OrderToken, SessionToken};

fn random_bytes() -> [u8; 32] {
    rand::random()
}

pub fn order_token() -> OrderToken {
    OrderToken::from_bytes(random_bytes())
}

pub fn session_token() -> SessionToken {
    SessionToken::from_bytes(random_bytes())
}

pub fn checkout_key() -> CheckoutKey {
    CheckoutKey::from_bytes(random_bytes())
}

/// The nonce of a device cookie: names one browser of one account.
pub fn device_nonce() -> String {
    CsrfToken::from_bytes(random_bytes()).to_string()
}

pub fn account_token() -> AccountToken {
    AccountToken::from_bytes(random_bytes())
}

pub fn csrf_token() -> CsrfToken {
    CsrfToken::from_bytes(random_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_each_time() {
        assert_ne!(order_token(), order_token());
        assert_eq!(session_token().as_str().len(), 43);
    }
}
