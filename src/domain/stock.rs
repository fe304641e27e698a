//! Stock arithmetic: how many of a product can still be made, and how to show it.

use super::text_enum::text_enum;
use std::fmt;

text_enum!(Unit {
    Gram = "g" / "g",
    Millilitre = "ml" / "ml",
    Piece = "piece" / "pièce(s)",
});

text_enum!(
    /// Why a stock level changed; every ledger row carries one.
    MovementReason {
        Reserve = "reserve" / "Réservation",
        Release = "release" / "Libération",
        Consume = "consume" / "Consommation",
        SupplierDelivery = "supplier_delivery" / "Livraison fournisseur",
        Adjustment = "adjustment" / "Ajustement",
        InventoryCount = "inventory_count" / "Inventaire",
        Waste = "waste" / "Perte",
    }
);

/// One recipe line against one stock level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// Quantity of the ingredient one product needs (> 0).
    pub per_unit: i64,
    pub on_hand: i64,
    pub reserved: i64,
}

/// min over the recipe lines of floor((on_hand - reserved) / per_unit), never below 0.
/// A product without a recipe cannot be made: selling it could never be checked against stock.
pub fn makeable_count(lines: impl IntoIterator<Item = Requirement>) -> i64 {
    lines
        .into_iter()
        .map(|r| {
            if r.per_unit <= 0 {
                return 0;
            }
            (r.on_hand - r.reserved).max(0) / r.per_unit
        })
        .min()
        .unwrap_or(0)
}

/// How many of a product the stock can make when `taken` is already spoken for (the rest of a
/// cart): `recipe` is (ingredient, quantity per unit), `available` what is on hand and not
/// reserved. An ingredient missing from `available` has none.
pub fn most_of<K: std::hash::Hash + Eq>(
    recipe: &[(K, i64)],
    available: &std::collections::HashMap<K, i64>,
    taken: &std::collections::HashMap<K, i64>,
) -> i64 {
    let lines = recipe.iter().map(|(ingredient, per_unit)| {
        let free = available.get(ingredient).copied().unwrap_or(0)
            - taken.get(ingredient).copied().unwrap_or(0);
        Requirement {
            per_unit: *per_unit,
            on_hand: free.max(0),
            reserved: 0,
        }
    });
    makeable_count(lines)
}

/// What the menu says about a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// "plus que N"
    Few(i64),
    SoldOut,
}

impl Availability {
    pub fn from_count(count: i64, few_threshold: i64) -> Self {
        match count {
            c if c <= 0 => Self::SoldOut,
            c if c <= few_threshold => Self::Few(c),
            _ => Self::Available,
        }
    }

    pub fn orderable(self) -> bool {
        self != Self::SoldOut
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Available => f.write_str("disponible"),
            Self::Few(n) => write!(f, "plus que {n}"),
            Self::SoldOut => f.write_str("épuisée"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(per_unit: i64, on_hand: i64, reserved: i64) -> Requirement {
        Requirement {
            per_unit,
            on_hand,
            reserved,
        }
    }

    #[test]
    fn the_scarcest_ingredient_decides() {
        let lines = [req(250, 10_000, 0), req(120, 1_200, 240), req(1, 3, 0)];
        assert_eq!(makeable_count(lines), 3);
    }

    #[test]
    fn partial_units_do_not_count() {
        assert_eq!(makeable_count([req(125, 249, 0)]), 1);
        assert_eq!(makeable_count([req(125, 250, 0)]), 2);
    }

    #[test]
    fn reserved_stock_is_not_available() {
        assert_eq!(makeable_count([req(100, 1_000, 1_000)]), 0);
        assert_eq!(makeable_count([req(100, 1_000, 950)]), 0);
        assert_eq!(makeable_count([req(100, 1_000, 900)]), 1);
    }

    #[test]
    fn over_reserved_stock_counts_as_zero_not_negative() {
        assert_eq!(makeable_count([req(100, 100, 500)]), 0);
    }

    #[test]
    fn a_product_without_recipe_or_with_a_zero_line_cannot_be_made() {
        assert_eq!(makeable_count([]), 0);
        assert_eq!(makeable_count([req(0, 1_000, 0)]), 0);
    }

    #[test]
    fn what_the_rest_of_a_cart_takes_is_not_available_to_a_line() {
        use std::collections::HashMap;
        let bufala = 1;
        let available = HashMap::from([(bufala, 240)]);
        let parma = [(bufala, 100)];
        assert_eq!(most_of(&parma, &available, &HashMap::new()), 2);
        assert_eq!(
            most_of(&parma, &available, &HashMap::from([(bufala, 120)])),
            1
        );
        assert_eq!(
            most_of(&parma, &available, &HashMap::from([(bufala, 240)])),
            0
        );
        assert_eq!(most_of(&parma, &HashMap::new(), &HashMap::new()), 0);
    }

    #[test]
    fn availability_says_few_then_sold_out() {
        assert_eq!(Availability::from_count(20, 5), Availability::Available);
        assert_eq!(Availability::from_count(5, 5), Availability::Few(5));
        assert_eq!(Availability::from_count(1, 5).to_string(), "plus que 1");
        assert_eq!(Availability::from_count(0, 5).to_string(), "épuisée");
        assert!(!Availability::from_count(0, 5).orderable());
        assert!(Availability::from_count(1, 5).orderable());
    }
}
