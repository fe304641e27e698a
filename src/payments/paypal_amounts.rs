//! PayPal's amounts: decimal strings in euros.

use crate::domain::money::Money;

/// 2350 cents as "23.50".
pub fn decimal(m: Money) -> String {
    let c = m.cents();
    let sign = if c < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        c.unsigned_abs() / 100,
        c.unsigned_abs() % 100
    )
}

/// "23.50", "23.5", "23" as cents; None for anything else.
pub fn cents(value: &str) -> Option<i64> {
    let (units, fraction) = value.split_once('.').unwrap_or((value, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || !digits(fraction) || fraction.len() > 2 {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(fraction)
}
