//! A pizzeria as the direction keeps it: its weekly opening windows checked (each opens before
//! it closes, two windows of a day never overlap), its slug made from its name.

use super::hours::{hhmm, Slot, WEEKDAYS};

/// Windows a day may have (lunch and evening).
pub const WINDOWS_PER_DAY: usize = 2;

/// One window as typed: "11:30" and "14:30", or both empty for none.
pub fn parse_window(weekday: u8, opens: &str, closes: &str) -> Result<Option<Slot>, String> {
    let (o, c) = (opens.trim(), closes.trim());
    if o.is_empty() && c.is_empty() {
        return Ok(None);
    }
    let day = WEEKDAYS[usize::from(weekday % 7)];
    let read = |t: &str| super::hours::parse_hhmm(t);
    // Closing at midnight is written 24:00 (or 00:00).
    let closing = match c {
        "24:00" | "00:00" => Some(24 * 60),
        c => read(c),
    };
    match (read(o), closing) {
        (Some(opens_at), Some(closes_at)) if opens_at < closes_at => Ok(Some(Slot {
            weekday,
            opens_at,
            closes_at,
        })),
        (Some(_), Some(_)) => Err(format!("{day} : l'ouverture doit précéder la fermeture.")),
        _ => Err(format!(
            "{day} : écrivez les heures ainsi : 11:30 et 14:30."
        )),
    }
}

/// The first overlap of a week's windows, as a French sentence.
pub fn overlap(slots: &[Slot]) -> Option<String> {
    for (i, a) in slots.iter().enumerate() {
        for b in &slots[i + 1..] {
            if a.weekday == b.weekday && a.opens_at < b.closes_at && b.opens_at < a.closes_at {
                return Some(format!(
                    "{} : les horaires {}–{} et {}–{} se chevauchent.",
                    WEEKDAYS[usize::from(a.weekday)],
                    hhmm(a.opens_at),
                    hhmm(a.closes_at),
                    hhmm(b.opens_at),
                    hhmm(b.closes_at)
                ));
            }
        }
    }
    None
}

/// "OC Pizza Batignolles" → "batignolles": lowercase ASCII words joined by dashes, without
/// the group's name.
pub fn slug_of(name: &str) -> String {
    let plain: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    let words = match words.as_slice() {
        ["oc", "pizza", rest @ ..] if !rest.is_empty() => rest.to_vec(),
        all => all.to_vec(),
    };
    let slug = words.join("-");
    if slug.is_empty() {
        "pizzeria".into()
    } else {
        slug.chars().take(50).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_and_checked() {
        assert_eq!(parse_window(0, "", " "), Ok(None));
        assert_eq!(
            parse_window(1, "11:30", "14:30"),
            Ok(Some(Slot {
                weekday: 1,
                opens_at: 690,
                closes_at: 870
            }))
        );
        assert!(parse_window(2, "14:30", "11:30")
            .unwrap_err()
            .contains("Mercredi"));
        assert!(parse_window(3, "11h30", "14:30")
            .unwrap_err()
            .contains("11:30 et 14:30"));
        assert!(parse_window(3, "11:30", "").is_err());
        assert_eq!(
            parse_window(5, "18:30", "24:00"),
            Ok(Some(Slot {
                weekday: 5,
                opens_at: 1110,
                closes_at: 1440
            }))
        );
        assert_eq!(
            parse_window(5, "00:00", "00:00")
                .unwrap()
                .unwrap()
                .closes_at,
            1440
        );
    }

    #[test]
    fn overlapping_windows_of_a_day_are_named() {
        let s = |weekday, o, c| Slot {
            weekday,
            opens_at: o,
            closes_at: c,
        };
        assert_eq!(
            overlap(&[s(0, 690, 870), s(0, 1110, 1380), s(1, 690, 1380)]),
            None
        );
        assert_eq!(
            overlap(&[s(0, 690, 870), s(0, 870, 900)]),
            None,
            "touching is fine"
        );
        let e = overlap(&[s(4, 690, 900), s(4, 840, 1380)]).unwrap();
        assert_eq!(
            e,
            "Vendredi : les horaires 11:30–15:00 et 14:00–23:00 se chevauchent."
        );
    }

    #[test]
    fn slugs_come_from_names() {
        assert_eq!(slug_of("OC Pizza Batignolles"), "batignolles");
        assert_eq!(slug_of("OC Pizza Butte-aux-Cailles"), "butte-aux-cailles");
        assert_eq!(slug_of("Pizzéria de l'Opéra"), "pizzeria-de-l-opera");
        assert_eq!(slug_of("!!!"), "pizzeria");
    }
}
