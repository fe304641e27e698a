//! The manager's stock arithmetic: quantities typed with a unit (kg and l accepted and
//! converted), an ingredient's state against its low-stock threshold, its days of cover, what
//! to order from the supplier, and an inventory count's variance.

use super::stock::Unit;

/// Largest quantity one line may move (100 t of flour), as in the stock service.
pub const MAX_QTY: i64 = 100_000_000;

/// How much of the ingredient's unit one of `typed` is: 1 for the unit itself, 1000 for kg of
/// a gram ingredient or l of a millilitre one, 10 for cl. None: the unit does not fit.
pub fn factor(unit: Unit, typed: &str) -> Option<i64> {
    match (unit, typed.trim().to_lowercase().as_str()) {
        (Unit::Gram, "g") | (Unit::Millilitre, "ml") => Some(1),
        (Unit::Piece, "piece" | "pièce" | "pièces" | "pce") => Some(1),
        (Unit::Gram, "kg") | (Unit::Millilitre, "l") => Some(1000),
        (Unit::Millilitre, "cl") => Some(10),
        _ => None,
    }
}

/// The units a form offers for an ingredient: its own, then the larger one.
pub fn units_for(unit: Unit) -> &'static [(&'static str, &'static str)] {
    match unit {
        Unit::Gram => &[("g", "g"), ("kg", "kg")],
        Unit::Millilitre => &[("ml", "ml"), ("cl", "cl"), ("l", "l")],
        Unit::Piece => &[("piece", "pièce(s)")],
    }
}

/// A quantity typed by a person ("1,5" kg, "250" g, "-2" pièces) in the ingredient's unit.
/// `signed`: a negative quantity is allowed (an adjustment). Whole units only: 1,2345 kg is
/// refused rather than rounded.
pub fn parse_quantity(
    raw: &str,
    typed_unit: &str,
    unit: Unit,
    signed: bool,
) -> Result<i64, String> {
    let Some(factor) = factor(unit, typed_unit) else {
        return Err(format!(
            "L'unité ne correspond pas à cet ingrédient (compté en {}).",
            unit.label()
        ));
    };
    let text: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect::<String>()
        .replace(',', ".");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    if text.is_empty() {
        return Err("Indiquez une quantité.".into());
    }
    if negative && !signed {
        return Err("La quantité ne peut pas être négative.".into());
    }
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !numeric(whole) || !numeric(fraction) {
        return Err("Écrivez la quantité en chiffres, par exemple 2,5.".into());
    }
    let scale = 10_i64
        .checked_pow(fraction.len() as u32)
        .unwrap_or(i64::MAX);
    let too_big = || format!("Quantité trop grande (au plus {}).", unit.show(MAX_QTY));
    let units = [whole, fraction]
        .concat()
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(too_big)?;
    if fraction.len() > 9 || units % scale != 0 {
        return Err(format!(
            "Quantité trop précise : au {} près.",
            match unit {
                Unit::Gram => "gramme",
                Unit::Millilitre => "millilitre",
                Unit::Piece => "nombre de pièces",
            }
        ));
    }
    let qty = units / scale;
    if qty > MAX_QTY {
        return Err(too_big());
    }
    Ok(if negative { -qty } else { qty })
}

impl Unit {
    /// A quantity as a person reads it: "12,5 kg", "750 g", "1,5 l", "24 pièce(s)".
    pub fn show(self, qty: i64) -> String {
        let big = match self {
            Unit::Gram => Some("kg"),
            Unit::Millilitre => Some("l"),
            Unit::Piece => None,
        };
        match big {
            Some(big) if qty.abs() >= 1000 => {
                let whole = qty.abs() / 1000;
                let rest = qty.abs() % 1000;
                let sign = if qty < 0 { "-" } else { "" };
                let fraction = format!("{rest:03}");
                let fraction = fraction.trim_end_matches('0');
                if fraction.is_empty() {
                    format!("{sign}{} {big}", thousands(whole))
                } else {
                    format!("{sign}{},{fraction} {big}", thousands(whole))
                }
            }
            _ => format!("{} {}", signed_thousands(qty), self.label()),
        }
    }
}

fn signed_thousands(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(-n))
    } else {
        thousands(n)
    }
}

/// 12500 → "12 500" (a narrow no-break space, as French typography wants).
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// An ingredient's state against its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    Ok,
    /// At or below the low-stock threshold.
    Low,
    /// Nothing left to sell.
    Out,
}

impl StockState {
    pub fn of(available: i64, threshold: i64) -> StockState {
        if available <= 0 {
            StockState::Out
        } else if threshold > 0 && available <= threshold {
            StockState::Low
        } else {
            StockState::Ok
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StockState::Ok => "ok",
            StockState::Low => "bas",
            StockState::Out => "épuisé",
        }
    }

    /// Whether the manager is alerted (an e-mail once per crossing).
    pub fn alerting(self) -> bool {
        self != StockState::Ok
    }
}

/// Days the consumption of the last week covers: the whole consumption of the last 7 days is
/// `consumed_7d`. None when nothing was consumed (the stock does not run out at this pace).
pub fn days_of_cover(available: i64, consumed_7d: i64) -> Option<f64> {
    if consumed_7d <= 0 {
        return None;
    }
    Some(available.max(0) as f64 * 7.0 / consumed_7d as f64)
}

/// What to order to cover `days` at the pace of the last 7 days, and to stay above the
/// low-stock threshold: 0 when the stock already covers it.
pub fn to_order(available: i64, consumed_7d: i64, days: i64, threshold: i64) -> i64 {
    let need = (consumed_7d.max(0) * days + 6) / 7;
    let target = need + threshold.max(0);
    if consumed_7d <= 0 && available > threshold {
        return 0;
    }
    (target - available.max(0)).max(0)
}

/// The variance of an inventory count against the expected stock: (quantity, share of the
/// expected in per cent, None when nothing was expected).
pub fn variance(expected: i64, counted: i64) -> (i64, Option<f64>) {
    let delta = counted - expected;
    let share = (expected != 0).then(|| delta as f64 * 100.0 / expected as f64);
    (delta, share)
}

/// How many of a product the stock can make, and the ingredient that limits it: `lines` is
/// (ingredient, quantity per product, available). None for a product without a recipe.
pub fn limiting<K: Copy>(lines: &[(K, i64, i64)]) -> Option<(K, i64)> {
    lines
        .iter()
        .map(|&(k, per, available)| {
            let n = if per <= 0 { 0 } else { available.max(0) / per };
            (k, n)
        })
        .min_by_key(|(_, n)| *n)
}

/// The supplier-order horizon a manager may ask for, in days.
pub const COVER_DAYS: std::ops::RangeInclusive<i64> = 1..=60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilograms_and_litres_are_converted_to_the_ingredients_unit() {
        assert_eq!(parse_quantity("1,5", "kg", Unit::Gram, false), Ok(1500));
        assert_eq!(parse_quantity("250", "g", Unit::Gram, false), Ok(250));
        assert_eq!(parse_quantity("2", "l", Unit::Millilitre, false), Ok(2000));
        assert_eq!(parse_quantity("75", "cl", Unit::Millilitre, false), Ok(750));
        assert_eq!(
            parse_quantity(" 12 500 ", "g", Unit::Gram, false),
            Ok(12_500)
        );
        assert_eq!(parse_quantity("24", "piece", Unit::Piece, false), Ok(24));
        assert_eq!(parse_quantity("-300", "g", Unit::Gram, true), Ok(-300));
    }

    #[test]
    fn a_unit_that_does_not_fit_the_ingredient_is_refused() {
        let e = parse_quantity("2", "l", Unit::Gram, false).unwrap_err();
        assert!(e.contains("L'unité ne correspond pas"), "{e}");
        assert!(parse_quantity("2", "kg", Unit::Piece, false).is_err());
        assert!(parse_quantity("2", "g", Unit::Millilitre, false).is_err());
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        for (raw, says) in [
            ("", "Indiquez"),
            ("abc", "chiffres"),
            ("1,2,3", "chiffres"),
            ("1e3", "chiffres"),
            ("-5", "négative"),
            ("1,2345", "précise"),
            ("0,5", "précise"),
            ("100001", "trop grande"),
            ("99999999999999999999", "trop grande"),
        ] {
            let unit = if raw == "0,5" { "g" } else { "kg" };
            let e = parse_quantity(raw, unit, Unit::Gram, false).unwrap_err();
            assert!(e.contains(says), "{raw}: {e}");
        }
    }

    #[test]
    fn quantities_read_as_people_say_them() {
        assert_eq!(Unit::Gram.show(12_500), "12,5 kg");
        assert_eq!(Unit::Gram.show(750), "750 g");
        assert_eq!(Unit::Gram.show(25_000), "25 kg");
        assert_eq!(Unit::Millilitre.show(1_250), "1,25 l");
        assert_eq!(Unit::Piece.show(1_200), "1\u{202f}200 pièce(s)");
        assert_eq!(Unit::Gram.show(-300), "-300 g");
        assert_eq!(Unit::Gram.show(-2_500), "-2,5 kg");
    }

    #[test]
    fn states_follow_the_threshold() {
        assert_eq!(StockState::of(0, 100), StockState::Out);
        assert_eq!(StockState::of(-5, 0), StockState::Out);
        assert_eq!(StockState::of(100, 100), StockState::Low);
        assert_eq!(StockState::of(101, 100), StockState::Ok);
        assert_eq!(StockState::of(5, 0), StockState::Ok);
    }

    #[test]
    fn cover_and_supplier_order_follow_the_last_weeks_pace() {
        // 7 kg used in 7 days: 1 kg a day.
        assert_eq!(days_of_cover(3_500, 7_000), Some(3.5));
        assert_eq!(days_of_cover(3_500, 0), None);
        // 5 days at 1 kg a day plus a 2 kg threshold, 3.5 kg left: order 3.5 kg.
        assert_eq!(to_order(3_500, 7_000, 5, 2_000), 3_500);
        assert_eq!(to_order(20_000, 7_000, 5, 2_000), 0);
        // Nothing used lately: order only what brings it back above its threshold.
        assert_eq!(to_order(500, 0, 5, 2_000), 1_500);
        assert_eq!(to_order(5_000, 0, 5, 2_000), 0);
    }

    #[test]
    fn the_scarcest_ingredient_limits_the_product() {
        assert_eq!(
            limiting(&[(1, 100, 1_000), (2, 50, 120), (3, 1, 40)]),
            Some((2, 2))
        );
        assert_eq!(limiting(&[(1, 100, -50)]), Some((1, 0)));
        assert_eq!(limiting::<i32>(&[]), None);
    }

    #[test]
    fn a_count_shows_its_variance_in_quantity_and_share() {
        assert_eq!(variance(1_000, 900), (-100, Some(-10.0)));
        assert_eq!(variance(0, 50), (50, None));
    }
}
