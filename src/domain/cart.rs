//! The cart: lines of one pizzeria, kept in the visitor's session. Prices are never stored
//! here; they are read from the catalogue when shown and when the order is placed.

use super::ids::{PizzeriaId, ProductId};
use super::money::Money;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MAX_QTY_PER_LINE: u32 = 20;
pub const MAX_LINES: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub pizzeria: PizzeriaId,
    pub lines: Vec<CartLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product: ProductId,
    pub qty: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("Au plus {MAX_QTY_PER_LINE} exemplaires d'un même produit par commande.")]
    TooMany,
    #[error("Au plus {MAX_LINES} produits différents par commande.")]
    TooManyLines,
    #[error("Ce produit n'est pas dans le panier.")]
    NotInCart,
}

impl Cart {
    pub fn new(pizzeria: PizzeriaId) -> Self {
        Cart {
            pizzeria,
            lines: Vec::new(),
        }
    }

    pub fn qty_of(&self, product: ProductId) -> u32 {
        self.lines
            .iter()
            .find(|l| l.product == product)
            .map_or(0, |l| l.qty)
    }

    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.qty).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Adds `qty` (≥ 1) to the product's line.
    pub fn add(&mut self, product: ProductId, qty: u32) -> Result<(), CartError> {
        let total = self.qty_of(product) + qty;
        if total > MAX_QTY_PER_LINE {
            return Err(CartError::TooMany);
        }
        self.set(product, total)
    }

    /// Sets a line's quantity; 0 removes it.
    pub fn set(&mut self, product: ProductId, qty: u32) -> Result<(), CartError> {
        if qty > MAX_QTY_PER_LINE {
            return Err(CartError::TooMany);
        }
        let count = self.lines.len();
        match self.lines.iter_mut().find(|l| l.product == product) {
            Some(line) if qty > 0 => line.qty = qty,
            Some(_) => self.lines.retain(|l| l.product != product),
            None if qty == 0 => return Err(CartError::NotInCart),
            None if count >= MAX_LINES => return Err(CartError::TooManyLines),
            None => self.lines.push(CartLine { product, qty }),
        }
        Ok(())
    }
}

/// A product the stock can no longer make as many of as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub product: ProductId,
    pub name: String,
    pub wanted: u32,
    pub left: i64,
}

impl Shortage {
    /// One French sentence saying what is left.
    pub fn message(&self) -> String {
        match self.left {
            0 => format!(
                "« {} » est épuisée : retirez-la de votre panier.",
                self.name
            ),
            1 => format!(
                "Il ne reste qu'un(e) « {} » (vous en demandez {}).",
                self.name, self.wanted
            ),
            n => format!(
                "Il ne reste que {n} « {} » (vous en demandez {}).",
                self.name, self.wanted
            ),
        }
    }
}

impl Shortage {
    /// The same, for a cart: what is left given the rest of the customer's cart.
    pub fn message_for_cart(&self) -> String {
        match self.left {
            n if n <= 0 => format!("Il ne reste plus de « {} » pour votre panier.", self.name),
            1 => format!(
                "Il ne reste qu'un(e) « {} » pour votre panier (vous en demandez {}).",
                self.name, self.wanted
            ),
            n => format!(
                "Il ne reste que {n} « {} » pour votre panier (vous en demandez {}).",
                self.name, self.wanted
            ),
        }
    }
}

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
        .take(MAX_LINES)
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

    fn cart() -> Cart {
        Cart::new(PizzeriaId(1))
    }

    #[test]
    fn adding_twice_adds_up_on_one_line() {
        let mut c = cart();
        c.add(ProductId(7), 1).unwrap();
        c.add(ProductId(7), 2).unwrap();
        assert_eq!(
            c.lines,
            vec![CartLine {
                product: ProductId(7),
                qty: 3
            }]
        );
        assert_eq!(c.item_count(), 3);
    }

    #[test]
    fn setting_zero_removes_the_line() {
        let mut c = cart();
        c.add(ProductId(7), 2).unwrap();
        c.set(ProductId(7), 0).unwrap();
        assert!(c.is_empty());
        assert_eq!(c.set(ProductId(7), 0), Err(CartError::NotInCart));
    }

    #[test]
    fn quantities_and_lines_are_bounded() {
        let mut c = cart();
        assert_eq!(
            c.add(ProductId(1), MAX_QTY_PER_LINE + 1),
            Err(CartError::TooMany)
        );
        c.add(ProductId(1), MAX_QTY_PER_LINE).unwrap();
        assert_eq!(c.add(ProductId(1), 1), Err(CartError::TooMany));
        let mut c = cart();
        for p in 0..MAX_LINES as i64 {
            c.add(ProductId(p + 1), 1).unwrap();
        }
        assert_eq!(c.add(ProductId(999), 1), Err(CartError::TooManyLines));
    }
}
