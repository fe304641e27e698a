//! Parsing what customers type: quantities, names, phone numbers, e-mail addresses, postal
//! codes, free text. Every error is a French sentence shown next to its field.

/// Who to call about an order, and where to send its e-mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    /// Ten digits grouped by two (`parse_phone`).
    pub phone: String,
    /// Trimmed, lower case (`parse_email`).
    pub email: String,
}

/// A delivery address in Paris.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub instructions: Option<String>,
}

/// A normalised e-mail address (trimmed, lower case), or why not.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && local.len() <= 64 && valid_domain(domain)
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(email)
    } else {
        Err("Adresse e-mail invalide (ex. : lea@exemple.fr).".into())
    }
}

fn valid_domain(domain: &str) -> bool {
    domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// A quantity typed in a form: a whole number from `min` to `max`.
pub fn parse_quantity(raw: &str, min: u32, max: u32) -> Result<u32, String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("La quantité doit être un nombre entier.".into());
    }
    match s.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "La quantité doit être comprise entre {min} et {max}."
        )),
    }
}

/// A French phone number, stored as 10 digits grouped by two: `06 12 34 56 78`.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .collect();
    let national = match compact.strip_prefix("+33") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let valid = national.len() == 10
        && national.bytes().all(|b| b.is_ascii_digit())
        && national.starts_with('0')
        && national.as_bytes()[1] != b'0';
    if !valid {
        return Err("Numéro de téléphone invalide (ex. : 06 12 34 56 78).".into());
    }
    let pairs: Vec<&str> = (0..5).map(|i| &national[i * 2..i * 2 + 2]).collect();
    Ok(pairs.join(" "))
}

/// A French postal code; deliveries are made in Paris only (75…).
pub fn parse_postal_code(raw: &str, delivery: bool) -> Result<String, String> {
    let s = raw.trim();
    if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Code postal invalide : 5 chiffres (ex. : 75011).".into());
    }
    if delivery && !s.starts_with("75") {
        return Err("Nous livrons uniquement dans Paris (codes postaux 75…).".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_must_be_whole_numbers_in_range() {
        assert_eq!(parse_quantity(" 3 ", 1, 20), Ok(3));
        assert_eq!(parse_quantity("0", 0, 20), Ok(0));
        for bad in ["", "abc", "-1", "1.5", "1e3", "+2", "٣"] {
            assert_eq!(
                parse_quantity(bad, 1, 20),
                Err("La quantité doit être un nombre entier.".into()),
                "{bad:?}"
            );
        }
        for bad in ["0", "21", "999999"] {
            assert!(
                parse_quantity(bad, 1, 20)
                    .unwrap_err()
                    .contains("entre 1 et 20"),
                "{bad:?}"
            );
        }
        assert!(parse_quantity("99999999999999999999", 1, 20).is_err());
    }

    #[test]
    fn french_phone_numbers_are_normalised() {
        assert_eq!(parse_phone("0612345678").unwrap(), "06 12 34 56 78");
        assert_eq!(parse_phone("+33 6 12 34 56 78").unwrap(), "06 12 34 56 78");
        assert_eq!(parse_phone("01.43.55.12.12").unwrap(), "01 43 55 12 12");
        for bad in [
            "",
            "12345",
            "0012345678",
            "06123456789",
            "06 12 34 56 7a",
            "+44 20 7946 0958",
        ] {
            assert!(parse_phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deliveries_stay_in_paris() {
        assert_eq!(parse_postal_code("75011", true).unwrap(), "75011");
        assert!(parse_postal_code("92100", true)
            .unwrap_err()
            .contains("Paris"));
        assert_eq!(parse_postal_code("92100", false).unwrap(), "92100");
        for bad in ["7501", "750111", "75O11", ""] {
            assert!(parse_postal_code(bad, true).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            parse_email("  Marie.Dupont@Example.FR ").unwrap(),
            "marie.dupont@example.fr"
        );
        for bad in [
            "",
            "marie",
            "marie@",
            "@example.fr",
            "marie@example",
            "ma rie@example.fr",
            "m@ex..fr",
            "<a>@b.fr",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }
}
