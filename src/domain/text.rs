//! Free text typed by people (names, addresses, delivery instructions): trimmed, normalised
//! (NFC), bounded, and refused when it holds what a person cannot see or that changes how the
//! text around it reads (bidi overrides, line and paragraph separators, control characters).

use unicode_normalization::UnicodeNormalization;

/// How a field is named in its messages: "Le nom" est…, "Les instructions" contiennent…
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub the: &'static str,
    pub plural: bool,
}

impl Label {
    pub const fn one(the: &'static str) -> Label {
        Label { the, plural: false }
    }

    pub const fn many(the: &'static str) -> Label {
        Label { the, plural: true }
    }

    fn verb(self, one: &'static str, many: &'static str) -> &'static str {
        if self.plural {
            many
        } else {
            one
        }
    }
}

/// Characters that reorder or hide the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room: a text made only of these (and spaces) is empty.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}' | '\u{3164}' | '\u{FFA0}'
        )
}

/// Whether a text shows nothing: only spaces and characters that take no room.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_invisible)
}

/// Optional free text: None when empty (or invisible only). Line breaks are kept, as `\n`.
pub fn optional_text(raw: &str, label: Label, max: usize) -> Result<Option<String>, String> {
    let text: String = raw
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    let text = text.trim();
    if text.chars().all(is_invisible) {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(format!("{} : {max} caractères au plus.", label.the));
    }
    let refused = |c: char| {
        (c.is_control() && c != '\n') || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
    };
    if text.chars().any(refused) {
        let verb = label.verb("contient", "contiennent");
        return Err(format!(
            "{} {verb} des caractères non autorisés.",
            label.the
        ));
    }
    Ok(Some(text.to_string()))
}

/// Required free text on one line (a name, an address line).
pub fn parse_text(raw: &str, label: Label, max: usize) -> Result<String, String> {
    if raw.trim().contains(['\n', '\r']) {
        let verb = label.verb("tient", "tiennent");
        return Err(format!("{} {verb} sur une seule ligne.", label.the));
    }
    match optional_text(raw, label, max)? {
        Some(text) => Ok(text),
        None => {
            let verb = label.verb("est obligatoire", "sont obligatoires");
            Err(format!("{} {verb}.", label.the))
        }
    }
}

/// An error and every cause below it, on one line (for logs and reports).
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Label = Label::one("Le nom");
    const INSTRUCTIONS: Label = Label::many("Les instructions");

    #[test]
    fn text_fields_are_required_bounded_and_clean() {
        assert_eq!(parse_text("  Léa  ", NAME, 10).unwrap(), "Léa");
        assert_eq!(
            parse_text(" ", NAME, 10).unwrap_err(),
            "Le nom est obligatoire."
        );
        assert!(parse_text("abcdefghijk", NAME, 10)
            .unwrap_err()
            .contains("10 caractères"));
        assert!(parse_text("a\u{0}b", NAME, 10).is_err());
        assert_eq!(
            parse_text("Léa\r\nBcc: x", NAME, 40).unwrap_err(),
            "Le nom tient sur une seule ligne."
        );
        assert_eq!(optional_text("", INSTRUCTIONS, 10).unwrap(), None);
    }

    #[test]
    fn line_breaks_of_instructions_are_kept() {
        assert_eq!(
            optional_text("Code 12\r\n3e étage", INSTRUCTIONS, 40).unwrap(),
            Some("Code 12\n3e étage".into())
        );
    }

    #[test]
    fn invisible_only_text_counts_as_empty() {
        for blank in [
            "\u{200B}",
            " \u{200B}\u{FEFF} ",
            "\u{2060}\u{00AD}",
            "\u{3164}",
        ] {
            assert_eq!(
                parse_text(blank, NAME, 40).unwrap_err(),
                "Le nom est obligatoire.",
                "{blank:?}"
            );
        }
    }

    #[test]
    fn bidi_overrides_and_separators_are_refused_in_french_that_agrees() {
        for bad in ["Léa\u{202E}nimda", "a\u{2066}b", "a\u{2028}b", "a\u{2029}b"] {
            assert_eq!(
                optional_text(bad, INSTRUCTIONS, 40).unwrap_err(),
                "Les instructions contiennent des caractères non autorisés.",
                "{bad:?}"
            );
            assert!(parse_text(bad, NAME, 40)
                .unwrap_err()
                .starts_with("Le nom contient"));
        }
    }

    #[test]
    fn text_is_stored_composed() {
        let decomposed = "Le\u{0301}a";
        assert_eq!(parse_text(decomposed, NAME, 10).unwrap(), "Léa");
    }
}
