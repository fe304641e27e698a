//! Money: integer euro cents, VAT included, shown the French way (`12,50 €`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Mul};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub(crate) i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        self.0.checked_mul(qty).map(Money)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Mul<i64> for Money {
    type Output = Money;
    fn mul(self, rhs: i64) -> Money {
        Money(self.0 * rhs)
    }
}

/// Thousands are grouped with a narrow no-break space and the euro sign follows a no-break
/// space, so a price never wraps across two lines on a phone.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, ch) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i) % 3 == 0 {
                grouped.push('\u{202f}');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}{grouped},{:02}\u{a0}€", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(cents: i64) -> String {
        Money::from_cents(cents)
            .to_string()
            .replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn prices_are_shown_the_french_way() {
        assert_eq!(shown(1250), "12,50 €");
        assert_eq!(shown(900), "9,00 €");
        assert_eq!(shown(5), "0,05 €");
        assert_eq!(shown(0), "0,00 €");
        assert_eq!(shown(123456), "1 234,56 €");
        assert_eq!(shown(100000000), "1 000 000,00 €");
        assert_eq!(shown(-250), "-2,50 €");
    }

    #[test]
    fn the_euro_sign_never_wraps_away_from_its_amount() {
        assert_eq!(Money::from_cents(1250).to_string(), "12,50\u{a0}€");
    }

    #[test]
    fn arithmetic_stays_in_cents() {
        assert_eq!(Money::from_cents(1250) * 3, Money::from_cents(3750));
        assert_eq!(
            Money::from_cents(1) + Money::from_cents(2),
            Money::from_cents(3)
        );
        assert_eq!(Money::from_cents(i64::MAX).checked_mul(2), None);
    }
}
