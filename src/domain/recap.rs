//! What a cart or a checkout page shows of a cart: today's names and prices, its total, the
//! version the checkout form carries, and what changed since a page showed it.

use super::ids::{PizzeriaId, ProductId};
use super::money::Money;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A cart line as the customer is shown it: today's name and price, and whether the pizzeria
/// still offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapLine {
    pub product: ProductId,
    pub name: String,
    pub unit_price: Money,
    pub qty: u32,
    pub offered: bool,
}

impl RecapLine {
    pub fn subtotal(&self) -> Money {
        self.unit_price * i64::from(self.qty)
    }
}

/// What a cart or a checkout page shows. Its version names exactly that: an order is placed
/// only if the cart, its names and its prices are still what the customer confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recap {
    pub pizzeria: PizzeriaId,
    pub lines: Vec<RecapLine>,
}

impl Recap {
    pub fn total(&self) -> Money {
        self.lines
            .iter()
            .filter(|l| l.offered)
            .fold(Money::ZERO, |sum, l| sum + l.subtotal())
    }

    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.qty).sum()
    }

    /// Every line can still be ordered.
    pub fn orderable(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.offered)
    }

    pub fn version(&self) -> RecapVersion {
        let mut hash = Sha256::new();
        hash.update(format!("pizzeria {};", self.pizzeria));
        for l in &self.lines {
            hash.update(format!(
                "{}:{}:{}:{}:{};",
                l.product,
                l.qty,
                l.unit_price.cents(),
                l.offered,
                l.name.len()
            ));
            hash.update(l.name.as_bytes());
        }
        RecapVersion(
            hash.finalize()[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }
}

/// How a line differs from what a page showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineChange {
    New,
    Quantity { from: u32, to: u32 },
    Price { from: Money, to: Money },
    NoLongerOffered,
}

impl LineChange {
    /// A short French note shown beside the line.
    pub fn note(&self) -> String {
        match self {
            LineChange::New => "ajouté depuis".into(),
            LineChange::Quantity { from, to } => format!("quantité : {from} → {to}"),
            LineChange::Price { from, to } => format!("prix : {from} → {to}"),
            LineChange::NoLongerOffered => "n'est plus proposé".into(),
        }
    }
}

/// A line as a page showed it: (product, quantity, unit price).
pub type ShownLine = (ProductId, u32, Money);

impl Recap {
    /// The lines as the checkout form remembers them, to say later what changed:
    /// "12:1:1050,13:2:1250". Only for showing differences: the version decides.
    pub fn shown_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{}:{}:{}", l.product, l.qty, l.unit_price.cents()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// What changed since a page showed `shown`: per line still here, and the products gone.
    pub fn changes_since(
        &self,
        shown: &[ShownLine],
    ) -> (Vec<(ProductId, LineChange)>, Vec<ProductId>) {
        let mut changes = Vec::new();
        for l in &self.lines {
            let before = shown.iter().find(|(p, _, _)| *p == l.product);
            let change = match before {
                _ if !l.offered => Some(LineChange::NoLongerOffered),
                None => Some(LineChange::New),
                Some((_, qty, _)) if *qty != l.qty => Some(LineChange::Quantity {
                    from: *qty,
                    to: l.qty,
                }),
                Some((_, _, price)) if *price != l.unit_price => Some(LineChange::Price {
                    from: *price,
                    to: l.unit_price,
                }),
                Some(_) => None,
            };
            changes.extend(change.map(|c| (l.product, c)));
        }
        let gone = shown
            .iter()
            .map(|(p, _, _)| *p)
            .filter(|p| self.lines.iter().all(|l| l.product != *p))
            .collect();
        (changes, gone)
    }
}

/// The lines a checkout form remembers (see `Recap::shown_text`); malformed parts are skipped.
pub fn parse_shown(text: &str) -> Vec<ShownLine> {
    text.split(',')
        .filter_map(|part| {
            let mut fields = part.split(':');
            let product = ProductId::parse(fields.next()?).ok()?;
            let qty = fields.next()?.parse().ok()?;
            let cents: i64 = fields.next()?.parse().ok()?;
            Some((product, qty, Money::from_cents(cents)))
        })
        .take(super::cart::MAX_LINES)
        .collect()
}

/// The version of a recap, carried by the checkout form (24 hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RecapVersion(String);

impl RecapVersion {
    pub fn parse(s: &str) -> Option<RecapVersion> {
        let valid = s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| RecapVersion(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recap(qty: u32, price: i64) -> Recap {
        Recap {
            pizzeria: PizzeriaId(1),
            lines: vec![RecapLine {
                product: ProductId(7),
                name: "Margherita".into(),
                unit_price: Money::from_cents(price),
                qty,
                offered: true,
            }],
        }
    }

    #[test]
    fn a_recap_changes_version_with_its_quantities_and_prices() {
        let shown = recap(1, 1050).version();
        assert_eq!(recap(1, 1050).version(), shown);
        assert_ne!(recap(2, 1050).version(), shown);
        assert_ne!(recap(1, 1100).version(), shown);
        let mut renamed = recap(1, 1050);
        renamed.lines[0].name = "Margherita DOP".into();
        assert_ne!(renamed.version(), shown);
        assert_eq!(RecapVersion::parse(shown.as_str()), Some(shown));
        assert_eq!(RecapVersion::parse("zz"), None);
    }

    #[test]
    fn a_recap_says_what_changed_since_it_was_shown() {
        let shown = parse_shown(&recap(1, 1050).shown_text());
        assert_eq!(shown, vec![(ProductId(7), 1, Money::from_cents(1050))]);
        assert_eq!(recap(1, 1050).changes_since(&shown), (vec![], vec![]));
        let (changes, _) = recap(2, 1050).changes_since(&shown);
        assert_eq!(
            changes,
            vec![(ProductId(7), LineChange::Quantity { from: 1, to: 2 })]
        );
        let (changes, _) = recap(1, 1150).changes_since(&shown);
        assert_eq!(
            changes[0].1.note().replace('\u{a0}', " "),
            "prix : 10,50 € → 11,50 €"
        );
        let mut other = recap(1, 1050);
        other.lines[0].product = ProductId(8);
        let (changes, gone) = other.changes_since(&shown);
        assert_eq!(
            (changes[0].1.clone(), gone),
            (LineChange::New, vec![ProductId(7)])
        );
        assert!(parse_shown("x:1:2,,7:a:1").is_empty());
    }

    #[test]
    fn the_total_counts_only_what_is_still_offered() {
        let mut r = recap(2, 1050);
        assert_eq!(r.total(), Money::from_cents(2100));
        r.lines[0].offered = false;
        assert_eq!(r.total(), Money::ZERO);
        assert!(!r.orderable());
    }
}
