//! E-mail rules: when a temporary failure is tried again, how a message is named so that a
//! repeat can be recognised.

/// The longest wait between two attempts.
const MAX_DELAY_MS: u64 = 3_600_000;

/// The wait before the next attempt after `attempt` attempts (1 for the first): `first_ms`
/// doubled at each further attempt, at most an hour, spread by ±25 % (`jitter` in 0..1) so
/// that messages failed together are not all tried again at the same instant.
pub fn retry_delay_ms(first_ms: u64, attempt: i32, jitter: f64) -> u64 {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let base = first_ms.saturating_mul(1u64 << doublings).min(MAX_DELAY_MS);
    (base as f64 * (0.75 + 0.5 * jitter.clamp(0.0, 1.0))) as u64
}

/// The `Message-ID` of an outbox row: the same at every attempt, different for every row.
pub fn message_id(row: i64, created_micros: i64, domain: &str) -> String {
    format!("<outbox.{row}.{created_micros}@{domain}>")
}

/// The domain of a sender (`OC Pizza <commandes@ocpizza.fr>` → `ocpizza.fr`).
pub fn domain_of(from: &str) -> &str {
    from.rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_an_hour_within_a_quarter_either_way() {
        assert_eq!(retry_delay_ms(1_000, 1, 0.5), 1_000);
        assert_eq!(retry_delay_ms(1_000, 2, 0.5), 2_000);
        assert_eq!(retry_delay_ms(1_000, 4, 0.5), 8_000);
        assert_eq!(retry_delay_ms(1_000, 40, 0.5), 3_600_000);
        assert_eq!(retry_delay_ms(1_000, 1, 0.0), 750);
        assert_eq!(retry_delay_ms(1_000, 1, 1.0), 1_250);
    }

    #[test]
    fn a_message_keeps_its_id_and_names_the_sender_s_domain() {
        assert_eq!(domain_of("OC Pizza <commandes@ocpizza.fr>"), "ocpizza.fr");
        assert_eq!(domain_of("x@y.z"), "y.z");
        assert_eq!(domain_of("nobody"), "nobody");
        assert_eq!(message_id(7, 42, "ocpizza.fr"), "<outbox.7.42@ocpizza.fr>");
    }
}
