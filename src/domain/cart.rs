//! The cart: lines of one pizzeria, kept in the visitor's session. Prices are never stored
//! here; they are read from the catalogue when shown and when the order is placed.

use super::ids::{PizzeriaId, ProductId};
use serde::{Deserialize, Serialize};

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
            n if n <= 0 => format!(
                "« {} » n'est plus disponible : retirez ce produit de votre panier.",
                self.name
            ),
            1 => format!(
                "« {} » : il n'en reste qu'un exemplaire (vous en demandez {}).",
                self.name, self.wanted
            ),
            n => format!(
                "« {} » : il n'en reste que {n} exemplaires (vous en demandez {}).",
                self.name, self.wanted
            ),
        }
    }

    /// The same, for a cart: what is left given the rest of the customer's cart.
    pub fn message_for_cart(&self) -> String {
        match self.left {
            n if n <= 0 => format!("« {} » n'est plus disponible pour votre panier.", self.name),
            1 => format!(
                "« {} » : il n'en reste qu'un exemplaire pour votre panier (vous en demandez {}).",
                self.name, self.wanted
            ),
            n => format!(
                "« {} » : il n'en reste que {n} exemplaires pour votre panier (vous en demandez {}).",
                self.name, self.wanted
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
