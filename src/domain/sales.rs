//! The accountant's export: sales per day, pizzeria, product and payment method, as a CSV a
//! French spreadsheet opens right (UTF-8 with a byte order mark, `;` between fields, a decimal
//! comma, dates as 02/12/2026).

use super::money::Money;
use super::order::PaymentMethod;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The longest range one export covers.
pub const MAX_DAYS: i64 = 366;

/// One order line sold.
#[derive(Debug, Clone)]
pub struct SaleLine {
    pub day: NaiveDate,
    pub pizzeria: String,
    pub product: String,
    pub method: PaymentMethod,
    pub quantity: i64,
    pub unit_price: Money,
}

/// The range of an export, checked: from ≤ to, at most `MAX_DAYS` days.
pub fn range(from: NaiveDate, to: NaiveDate) -> Result<(NaiveDate, NaiveDate), &'static str> {
    if to < from {
        return Err("La date de fin précède la date de début.");
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err("Un export couvre au plus 366 jours.");
    }
    Ok((from, to))
}

/// A French date typed in a form: `2026-12-02` (a date field) or `02/12/2026`.
pub fn parse_day(typed: &str) -> Option<NaiveDate> {
    let t = typed.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .ok()
}

fn field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// "1234,50": no thousands separator and no euro sign, so that the cell is a number.
fn amount(m: Money) -> String {
    let c = m.cents();
    let sign = if c < 0 { "-" } else { "" };
    format!(
        "{sign}{},{:02}",
        c.unsigned_abs() / 100,
        c.unsigned_abs() % 100
    )
}

/// The CSV of `lines`, one row per day, pizzeria, product and payment method, in that order.
pub fn csv(lines: &[SaleLine]) -> String {
    let mut rows: BTreeMap<(NaiveDate, &str, &str, &str), (i64, Money)> = BTreeMap::new();
    for l in lines {
        let row = rows
            .entry((l.day, &l.pizzeria, &l.product, l.method.label()))
            .or_default();
        row.0 += l.quantity;
        row.1 = row.1 + l.unit_price * l.quantity;
    }
    let mut out =
        String::from("\u{feff}Date;Pizzeria;Produit;Mode de paiement;Quantité;Montant TTC (€)\r\n");
    for ((day, pizzeria, product, method), (quantity, revenue)) in rows {
        out.push_str(&format!(
            "{};{};{};{};{};{}\r\n",
            day.format("%d/%m/%Y"),
            field(pizzeria),
            field(product),
            field(method),
            quantity,
            amount(revenue)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn sale(d: u32, product: &str, method: PaymentMethod, qty: i64, cents: i64) -> SaleLine {
        SaleLine {
            day: day(d),
            pizzeria: "OC Pizza Bastille".into(),
            product: product.into(),
            method,
            quantity: qty,
            unit_price: Money::from_cents(cents),
        }
    }

    #[test]
    fn the_export_sums_per_day_pizzeria_product_and_method_the_french_way() {
        let text = csv(&[
            sale(2, "Margherita", PaymentMethod::OnDelivery, 2, 1050),
            sale(1, "Reine; grande", PaymentMethod::Stripe, 1, 123456),
            sale(2, "Margherita", PaymentMethod::OnDelivery, 1, 1050),
            sale(2, "Margherita", PaymentMethod::AtCounter, 1, 1050),
        ]);
        let rows: Vec<&str> = text.split("\r\n").collect();
        assert!(rows[0].starts_with('\u{feff}'));
        assert_eq!(
            rows[0].trim_start_matches('\u{feff}'),
            "Date;Pizzeria;Produit;Mode de paiement;Quantité;Montant TTC (€)"
        );
        assert_eq!(
            rows[1],
            "01/12/2026;OC Pizza Bastille;\"Reine; grande\";Carte bancaire (Stripe);1;1234,56"
        );
        assert_eq!(
            rows[2],
            "02/12/2026;OC Pizza Bastille;Margherita;Au comptoir;1;10,50"
        );
        assert_eq!(
            rows[3],
            "02/12/2026;OC Pizza Bastille;Margherita;À la livraison;3;31,50"
        );
        assert_eq!(rows[4], "");
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn a_range_is_checked_and_dates_read_both_ways() {
        assert_eq!(parse_day("2026-12-02"), Some(day(2)));
        assert_eq!(parse_day(" 02/12/2026 "), Some(day(2)));
        assert_eq!(parse_day("31/02/2026"), None);
        assert_eq!(parse_day("hier"), None);
        assert!(range(day(2), day(1)).is_err());
        assert!(range(day(1), day(1)).is_ok());
        // 366 days, both ends included, and no more.
        let first = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        assert!(range(first, day(1)).is_ok());
        assert!(range(first - chrono::Duration::days(1), day(1)).is_err());
    }
}
