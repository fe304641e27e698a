//! What never leaves for an error report: passwords, tokens, payment data, cookies, contact
//! details. Values under a sensitive name are dropped whole; any text has its e-mail addresses,
//! long tokens, card-like digit runs and phone numbers masked.

/// Names (of fields, headers, keys) whose values are never reported.
const SENSITIVE: [&str; 14] = [
    "password",
    "passwd",
    "secret",
    "token",
    "cookie",
    "authorization",
    "card",
    "iban",
    "csrf",
    "session",
    "address",
    "street",
    "phone",
    "email",
];

pub fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE.iter().any(|s| name.contains(s))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// One word (split on whitespace and punctuation that never belongs to a token) masked.
fn mask_word(word: &str) -> Option<&'static str> {
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if word.contains('@') && word.split('@').all(|p| !p.is_empty()) {
        Some("[e-mail]")
    } else if (13..=19).contains(&digits) && word.chars().all(|c| c.is_ascii_digit() || c == '-') {
        Some("[carte]")
    } else if word.len() >= 20 && word.chars().all(is_token_char) && digits > 0 {
        Some("[jeton]")
    } else {
        None
    }
}

/// The text with e-mail addresses, tokens, card numbers and phone numbers masked.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match mask_word(word) {
            Some(mask) => out.push_str(mask),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in s.chars() {
        if is_token_char(c) || c == '@' || c == '.' || c == '+' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    mask_phones(&out)
}

/// French phone numbers written with spaces or dots ("06 12 34 56 78") masked.
fn mask_phones(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        let mut digits = 0;
        while j < chars.len()
            && (chars[j].is_ascii_digit() || (digits > 0 && matches!(chars[j], ' ' | '.')))
        {
            if chars[j].is_ascii_digit() {
                digits += 1;
            }
            j += 1;
        }
        let starts_word = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if digits == 10 && chars[i] == '0' && starts_word {
            out.push_str("[téléphone]");
            if chars[j - 1] == ' ' || chars[j - 1] == '.' {
                out.push(chars[j - 1]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_tokens_and_cards_are_masked() {
        assert_eq!(
            text("order for lea.martin+pizza@example.fr failed"),
            "order for [e-mail] failed"
        );
        assert_eq!(
            text("GET /orders/5L97RXdVRb3py0X-JN_PuASWIBmhnkHotAzHuLffhdQ: 404"),
            "GET /orders/[jeton]: 404"
        );
        assert_eq!(
            text("card 4242424242424242 refused"),
            "card [carte] refused"
        );
        assert_eq!(text("call 06 12 34 56 78 now"), "call [téléphone] now");
        assert_eq!(
            text("order #042 of 12 items, 10,50 €"),
            "order #042 of 12 items, 10,50 €"
        );
        assert_eq!(text("table orders_by_status"), "table orders_by_status");
    }

    #[test]
    fn sensitive_names_are_recognised_whatever_their_case() {
        for name in [
            "password",
            "X-CSRF-Token",
            "Cookie",
            "customer_email",
            "delivery_street",
        ] {
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["route", "request_id", "status"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }
}
