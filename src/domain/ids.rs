//! Typed ids: a `PizzeriaId` can never be passed where an `OrderId` is expected. Database and
//! URL glue live in `db::types` and `web::params`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidId;

macro_rules! typed_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// Parses a strictly positive decimal id, as found in a URL or a form.
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(InvalidId);
                }
                match s.parse::<i64>() {
                    Ok(n) if n > 0 => Ok(Self(n)),
                    _ => Err(InvalidId),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

typed_id!(
    PizzeriaId,
    UserId,
    IngredientId,
    ProductId,
    OrderId,
    PaymentId,
    AddressId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_decimal_ids_parse() {
        assert_eq!(PizzeriaId::parse("1"), Ok(PizzeriaId(1)));
        assert_eq!(ProductId::parse("123456"), Ok(ProductId(123456)));
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "0",
            "-1",
            "+1",
            "1.5",
            "abc",
            "1e3",
            " 1",
            "99999999999999999999",
        ] {
            assert_eq!(PizzeriaId::parse(bad), Err(InvalidId), "{bad:?}");
        }
    }
}
