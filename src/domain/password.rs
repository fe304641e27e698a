//! What a new password must be: at least 10 characters that are not all spaces, at most 200,
//! and not one of the common passwords shipped with the application. Passwords are compared
//! in Unicode compatibility form (NFKC), so the same password typed on two keyboards matches.

use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

/// Lower case, one per line (data/README.md).
const COMMON: &str = include_str!("../../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Whether two typings of a password are the same password.
pub fn same(a: &str, b: &str) -> bool {
    normalised(a) == normalised(b)
}

/// The form a password is hashed and checked in.
pub fn normalised(password: &str) -> String {
    password.nfkc().collect()
}

/// A new password, normalised, or why it is refused (a French sentence for its field).
pub fn check_new(password: &str) -> Result<String, String> {
    let p = normalised(password);
    let length = p.chars().count();
    if length < MIN_LEN {
        return Err(format!(
            "Le mot de passe doit comporter au moins {MIN_LEN} caractères."
        ));
    }
    if length > MAX_LEN {
        return Err(format!(
            "Le mot de passe est trop long ({MAX_LEN} caractères au plus)."
        ));
    }
    if super::text::is_blank(&p) {
        return Err("Le mot de passe ne peut pas être fait que d'espaces.".into());
    }
    if common().contains(p.trim().to_lowercase().as_str()) {
        return Err("Ce mot de passe est trop courant : choisissez-en un autre.".into());
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_blank_long_and_common_passwords_are_refused() {
        assert!(check_new("court").unwrap_err().contains("au moins 10"));
        assert!(check_new(&" ".repeat(12)).unwrap_err().contains("espaces"));
        assert!(check_new(&"\u{200B}".repeat(12))
            .unwrap_err()
            .contains("espaces"));
        assert!(check_new(&"a".repeat(201))
            .unwrap_err()
            .contains("trop long"));
        for common in ["azertyuiop", "Password123", "MOTDEPASSE", "1234567890"] {
            assert!(
                check_new(common).unwrap_err().contains("trop courant"),
                "{common}"
            );
        }
        assert_eq!(
            check_new("une pizza au feu de bois").unwrap(),
            "une pizza au feu de bois"
        );
    }

    #[test]
    fn passwords_typed_differently_compare_the_same() {
        // "é" as one character or as "e" and a combining accent; a full-width digit.
        assert_eq!(
            normalised("caf\u{e9}-pizzeria"),
            normalised("cafe\u{301}-pizzeria")
        );
        assert_eq!(normalised("pizza\u{FF11}"), "pizza1");
        assert!(same("caf\u{e9}-pizzeria", "cafe\u{301}-pizzeria"));
    }
}
