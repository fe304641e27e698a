//! What staff type on the floor: the money collected, the reason of a cancellation or a
//! failed delivery, and the sentences that tell them an order changed meanwhile.

use super::Pace;
use crate::domain::money::Money;
use crate::domain::order::OrderStatus;

/// One setting of the pace form: its field, its French name and its bounds (the database's
/// CHECKs say the same).
pub const PACE_FIELDS: [(&str, &str, i32, i32); 6] = [
    ("minutes_per_pizza", "Minutes par pizza et par four", 1, 60),
    ("ovens", "Fours en service", 1, 20),
    ("delivery_minutes", "Minutes de livraison", 1, 180),
    (
        "later_lead_minutes",
        "Entrée en file avant l'heure voulue (minutes)",
        0,
        240,
    ),
    (
        "amber_after_minutes",
        "Ticket orange après (minutes)",
        1,
        240,
    ),
    ("red_after_minutes", "Ticket rouge après (minutes)", 1, 480),
];

impl Pace {
    /// Reads the settings form: every field a whole number within its bounds, and red after
    /// amber. Errors are (field, French message).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Pace, Vec<(String, String)>> {
        let mut values = [0i32; 6];
        let mut errors = Vec::new();
        for (i, (field, label, min, max)) in PACE_FIELDS.iter().enumerate() {
            let raw = get(field).unwrap_or_default();
            match raw.trim().parse::<i32>() {
                Ok(v) if (*min..=*max).contains(&v) => values[i] = v,
                _ => errors.push((
                    field.to_string(),
                    format!("{label} : un nombre entier de {min} à {max}."),
                )),
            }
        }
        let pace = Pace {
            minutes_per_pizza: values[0],
            ovens: values[1],
            delivery_minutes: values[2],
            later_lead_minutes: values[3],
            amber_after_minutes: values[4],
            red_after_minutes: values[5],
        };
        if errors.is_empty() && pace.red_after_minutes <= pace.amber_after_minutes {
            errors.push((
                "red_after_minutes".into(),
                "Le ticket passe au rouge après être passé à l'orange : choisissez un délai plus long."
                    .into(),
            ));
        }
        if errors.is_empty() {
            Ok(pace)
        } else {
            Err(errors)
        }
    }
}

/// How a payment is taken by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hand {
    Cash,
    Card,
}

impl Hand {
    pub fn as_str(self) -> &'static str {
        match self {
            Hand::Cash => "cash",
            Hand::Card => "card",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Hand::Cash => "Espèces",
            Hand::Card => "Carte",
        }
    }
}

/// A payment taken at the door or the counter: its way and its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    pub hand: Hand,
    pub amount: Money,
}

/// Reads "23,50", "23.50" or "23" as euros; None for anything else (negative, absurd).
pub fn parse_euros(raw: &str) -> Option<Money> {
    let raw = raw.trim().replace(',', ".");
    let (whole, cents) = match raw.split_once('.') {
        Some((w, c)) if c.len() <= 2 && !c.is_empty() => (w, format!("{c:0<2}")),
        Some(_) => return None,
        None => (raw.as_str(), "00".to_string()),
    };
    if whole.is_empty()
        || whole.len() > 5
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let euros: i64 = whole.parse().ok()?;
    let cents: i64 = cents.parse().ok()?;
    Some(Money::from_cents(euros * 100 + cents))
}

/// What the staff member says they collected for an order that owes `due` (None when it is
/// paid already): for an unpaid order, the way (espèces, carte) and exactly the amount due;
/// nothing for a paid one.
pub fn parse_collection(
    hand: &str,
    amount: &str,
    due: Option<Money>,
) -> Result<Option<Collection>, String> {
    let Some(due) = due else {
        if hand.trim().is_empty() && amount.trim().is_empty() {
            return Ok(None);
        }
        return Err("Cette commande est déjà payée : n'encaissez rien.".into());
    };
    let hand = match hand.trim() {
        "cash" => Hand::Cash,
        "card" => Hand::Card,
        "" => return Err("Indiquez comment le client a payé : espèces ou carte.".into()),
        _ => return Err("Ce moyen de paiement n'existe pas : espèces ou carte.".into()),
    };
    let amount = parse_euros(amount)
        .ok_or_else(|| format!("Indiquez le montant encaissé en euros, par exemple {due}."))?;
    if amount != due {
        return Err(format!(
            "Le montant encaissé ({amount}) ne correspond pas au montant dû ({due})."
        ));
    }
    Ok(Some(Collection { hand, amount }))
}

/// Why staff cancel an order or a delivery failed: required, one line, 3 to 200 characters.
pub fn parse_reason(raw: &str) -> Result<String, String> {
    let text =
        crate::domain::text::parse_text(raw, crate::domain::text::Label::one("Le motif"), 200)?;
    if text.chars().count() < 3 {
        return Err("Le motif : 3 caractères au moins.".into());
    }
    Ok(text)
}

/// How a step reads in a staff message: "commencée", "marquée prête"…
pub fn done_as(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::AwaitingPayment => "mise en attente de paiement",
        OrderStatus::Received => "remise en attente",
        OrderStatus::InPreparation => "commencée",
        OrderStatus::Ready => "marquée prête",
        OrderStatus::OutForDelivery => "prise en livraison",
        OrderStatus::Delivered => "livrée",
        OrderStatus::PickedUp => "remise au client",
        OrderStatus::Cancelled => "annulée",
    }
}

/// Why a staff action on an order found it changed meanwhile: what it became, by whom, when
/// ("La commande #042 a déjà été commencée par Marco à 19:32.").
pub fn stale_message(number: &str, now_is: OrderStatus, who: Option<&str>, at: &str) -> String {
    let by = match (now_is, who) {
        (_, Some(name)) => format!(" par {name}"),
        (OrderStatus::Cancelled, None) => " par le client".to_string(),
        _ => String::new(),
    };
    format!(
        "La commande {number} a déjà été {}{by} à {at} : rien n'a été changé.",
        done_as(now_is)
    )
}

/// What a modification changed, for the kitchen's "MODIFIÉE" ticket: "Reine 1 → 2, + Tiramisu
/// ×1, − Calzone". Lines are (name, quantity); at most 400 characters.
pub fn change_summary(old: &[(String, i32)], new: &[(String, i32)]) -> String {
    let qty = |lines: &[(String, i32)], name: &str| {
        lines
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, q)| *q)
            .sum::<i32>()
    };
    let mut parts = Vec::new();
    for (name, q) in new {
        match qty(old, name) {
            0 => parts.push(format!("+ {name} ×{q}")),
            before if before != *q => parts.push(format!("{name} {before} → {q}")),
            _ => {}
        }
    }
    for (name, _) in old {
        if qty(new, name) == 0 {
            parts.push(format!("− {name}"));
        }
    }
    let text = if parts.is_empty() {
        "rien de changé".to_string()
    } else {
        parts.join(", ")
    };
    text.chars().take(400).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_collected_must_be_the_amount_due() {
        let due = Some(Money::from_cents(2350));
        let ok = parse_collection("cash", "23,50", due).unwrap().unwrap();
        assert_eq!(ok.hand, Hand::Cash);
        assert_eq!(ok.amount, Money::from_cents(2350));
        assert!(parse_collection("card", "23.5", due).unwrap().is_some());
        for (hand, amount) in [
            ("cash", "-23,50"),
            ("cash", "2350000000"),
            ("cash", "22"),
            ("cash", "abc"),
            ("cheque", "23,50"),
            ("", "23,50"),
            ("cash", "23,505"),
        ] {
            assert!(
                parse_collection(hand, amount, due).is_err(),
                "{hand} {amount}"
            );
        }
        assert_eq!(parse_collection("", "", None), Ok(None));
        assert!(parse_collection("cash", "23,50", None).is_err());
    }

    #[test]
    fn a_reason_is_short_and_said() {
        assert_eq!(parse_reason("  Client absent ").unwrap(), "Client absent");
        assert!(parse_reason("").is_err());
        assert!(parse_reason("ok").is_err());
        assert!(parse_reason(&"x".repeat(201)).is_err());
        assert!(parse_reason("a\nb c d").is_err());
    }

    #[test]
    fn a_stale_action_says_who_did_what_and_when() {
        assert_eq!(
            stale_message("#042", OrderStatus::InPreparation, Some("Marco"), "19:32"),
            "La commande #042 a déjà été commencée par Marco à 19:32 : rien n'a été changé."
        );
        assert!(stale_message("#042", OrderStatus::Cancelled, None, "19:31")
            .contains("annulée par le client à 19:31"));
    }

    #[test]
    fn a_modification_says_what_changed() {
        let l = |n: &str, q| (n.to_string(), q);
        assert_eq!(
            change_summary(
                &[l("Reine", 1), l("Calzone", 1)],
                &[l("Reine", 2), l("Tiramisu", 1)]
            ),
            "Reine 1 → 2, + Tiramisu ×1, − Calzone"
        );
    }

    #[test]
    fn the_settings_form_is_bounded_and_red_comes_after_amber() {
        let form = |pairs: &[(&str, &str)]| {
            let owned: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Pace::parse(move |f| owned.iter().find(|(k, _)| k == f).map(|(_, v)| v.clone()))
        };
        let good = [
            ("minutes_per_pizza", "7"),
            ("ovens", "3"),
            ("delivery_minutes", "25"),
            ("later_lead_minutes", "40"),
            ("amber_after_minutes", "8"),
            ("red_after_minutes", "15"),
        ];
        assert_eq!(form(&good).unwrap().ovens, 3);
        let mut bad = good;
        bad[1] = ("ovens", "0");
        bad[0] = ("minutes_per_pizza", "-3");
        let errors = form(&bad).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].1.contains("de 1 à 60"));
        let mut swapped = good;
        swapped[5] = ("red_after_minutes", "8");
        assert_eq!(form(&swapped).unwrap_err()[0].0, "red_after_minutes");
        let mut absurd = good;
        absurd[2] = ("delivery_minutes", "99999999999999");
        assert!(form(&absurd).is_err());
    }
}
