//! What the pizzerias sell.

use super::text_enum::text_enum;

text_enum!(ProductKind {
    Pizza = "pizza" / "Pizzas",
    Drink = "drink" / "Boissons",
    Dessert = "dessert" / "Desserts",
});

impl ProductKind {
    /// Menu order: pizzas, then drinks, then desserts.
    pub fn rank(self) -> u8 {
        match self {
            ProductKind::Pizza => 0,
            ProductKind::Drink => 1,
            ProductKind::Dessert => 2,
        }
    }
}

/// The highest price a product may have: beyond it, a typing mistake.
pub const MAX_PRICE_CENTS: i64 = 50_000;

/// A price typed by the direction: "12,50", "12.5", "12 €". Above 0, at most 500 €, to the cent.
pub fn parse_price(raw: &str) -> Result<crate::domain::money::Money, String> {
    let text: String = raw
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect::<String>()
        .replace(',', ".");
    if text.is_empty() {
        return Err("Indiquez le prix, par exemple 12,50.".into());
    }
    if text.starts_with('-') {
        return Err("Le prix doit être supérieur à 0 €.".into());
    }
    let (euros, cents) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if euros.is_empty() || !digits(euros) || !digits(cents) || cents.len() > 2 || euros.len() > 6 {
        return Err("Écrivez le prix en euros et centimes, par exemple 12,50.".into());
    }
    let cents_value: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
    let total = euros.parse::<i64>().unwrap_or(0) * 100 + cents_value;
    if total == 0 {
        return Err("Le prix doit être supérieur à 0 €.".into());
    }
    if total > MAX_PRICE_CENTS {
        return Err("Prix trop élevé : 500 € au plus.".into());
    }
    Ok(crate::domain::money::Money::from_cents(total))
}

#[cfg(test)]
mod price_tests {
    use super::*;
    use crate::domain::money::Money;

    #[test]
    fn prices_read_the_french_way_and_must_be_positive() {
        assert_eq!(parse_price("12,50"), Ok(Money::from_cents(1250)));
        assert_eq!(parse_price("12.5"), Ok(Money::from_cents(1250)));
        assert_eq!(parse_price(" 9 € "), Ok(Money::from_cents(900)));
        assert_eq!(parse_price("0,05"), Ok(Money::from_cents(5)));
        for (typed, message) in [
            ("0", "supérieur à 0"),
            ("0,00", "supérieur à 0"),
            ("-3", "supérieur à 0"),
            ("", "Indiquez le prix"),
            ("12,505", "euros et centimes"),
            ("douze", "euros et centimes"),
            ("600", "500 € au plus"),
        ] {
            let e = parse_price(typed).unwrap_err();
            assert!(e.contains(message), "{typed}: {e}");
        }
    }
}
