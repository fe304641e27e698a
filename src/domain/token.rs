//! Unguessable tokens: 256 random bits written in URL-safe base64 (43 characters). Each use
//! has its own type, parsed once at the edge; the randomness comes from the caller.

use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

/// Why a text is not a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidToken;

pub const TOKEN_LEN: usize = 43;

fn is_token(s: &str) -> bool {
    s.len() == TOKEN_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! token_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, InvalidToken> {
                if is_token(s) { Ok(Self(s.to_string())) } else { Err(InvalidToken) }
            }

            /// The token written from 32 random bytes.
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

token_type!(
    /// The key of an order's tracking page: whoever holds it may follow and change the order.
    OrderToken,
    /// What a session cookie carries; the database keeps only its hash (`SessionId`).
    SessionToken,
    /// One per checkout form shown: the same form posted twice places one order.
    CheckoutKey,
    /// The per-browser CSRF token kept in an encrypted cookie.
    CsrfToken,
    /// A one-time link sent by e-mail (confirming an address, setting a new password); stored
    /// as its hash.
    AccountToken,
);

/// The SHA-256 of a token, in hex: what the database keeps of tokens that grant something.
pub fn hash_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How a session is stored: the SHA-256 of its token, in hex. A leaked table gives no usable
/// cookie.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    pub fn of(token: &SessionToken) -> Self {
        SessionId(hash_hex(token.as_str()))
    }

    /// A stored id read back (64 hex digits).
    pub fn parse(s: &str) -> Result<Self, InvalidToken> {
        let valid = s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if valid {
            Ok(SessionId(s.to_string()))
        } else {
            Err(InvalidToken)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters() {
        let t = OrderToken::from_bytes([7; 32]);
        assert_eq!(t.as_str().len(), TOKEN_LEN);
        assert_eq!(OrderToken::parse(t.as_str()), Ok(t));
        for bad in [
            "",
            "nope",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "' OR 1=1 --AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "a/../../etcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(OrderToken::parse(bad), Err(InvalidToken), "{bad:?}");
        }
    }

    #[test]
    fn sessions_are_stored_by_the_hash_of_their_token() {
        let token = SessionToken::from_bytes([1; 32]);
        let id = SessionId::of(&token);
        assert_eq!(id.as_str().len(), 64);
        assert_ne!(id.as_str(), token.as_str());
        assert_eq!(SessionId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(SessionId::of(&token), id);
    }
}
