//! How values read in French pages.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;

/// Paris time, the French way: 25/11/2026 19:30.
pub fn french_time(utc: NaiveDateTime) -> String {
    Paris
        .from_utc_datetime(&utc)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Only the hour: 19:30.
pub fn french_hour(utc: NaiveDateTime) -> String {
    Paris.from_utc_datetime(&utc).format("%H:%M").to_string()
}
