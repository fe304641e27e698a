//! Opening hours, in the pizzerias' own time zone (Europe/Paris).

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Europe::Paris;

pub const WEEKDAYS: [&str; 7] = [
    "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
];

/// One opening window: weekday 0 = Monday, minutes after local midnight, opens < closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub weekday: u8,
    pub opens_at: u16,
    pub closes_at: u16,
}

/// Local (Paris) time of a UTC instant.
pub fn paris(now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(&Paris).naive_local()
}

pub fn is_open(slots: &[Slot], local: NaiveDateTime) -> bool {
    let day = local.weekday().num_days_from_monday() as u8;
    let minute = (local.hour() * 60 + local.minute()) as u16;
    slots
        .iter()
        .any(|s| s.weekday == day && s.opens_at <= minute && minute < s.closes_at)
}

pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One line per weekday, e.g. ("Lundi", "11:30–14:30, 18:30–23:00") or ("Dimanche", "fermé").
pub fn weekly_summary(slots: &[Slot]) -> Vec<(&'static str, String)> {
    (0..7u8)
        .map(|day| {
            let mut windows: Vec<&Slot> = slots.iter().filter(|s| s.weekday == day).collect();
            windows.sort_by_key(|s| s.opens_at);
            let text = if windows.is_empty() {
                "fermé".to_string()
            } else {
                windows
                    .iter()
                    .map(|s| format!("{}–{}", hhmm(s.opens_at), hhmm(s.closes_at)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (WEEKDAYS[day as usize], text)
        })
        .collect()
}

/// Later slots of today a customer may choose: every `step` minutes inside today's opening
/// windows, at least `lead` minutes from now (minutes after local midnight).
pub fn later_slots(slots: &[Slot], local: NaiveDateTime, lead: u16, step: u16) -> Vec<u16> {
    let day = local.weekday().num_days_from_monday() as u8;
    let earliest = (local.hour() * 60 + local.minute()) as u16 + lead;
    let mut out: Vec<u16> = slots
        .iter()
        .filter(|s| s.weekday == day)
        .flat_map(|s| {
            let first = s.opens_at.max(earliest).div_ceil(step) * step;
            (first..s.closes_at).step_by(step as usize)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// When a pizzeria opens next after `local`: (days from today, weekday, minutes after local
/// midnight); None when it has no opening window at all.
pub fn next_opening(slots: &[Slot], local: NaiveDateTime) -> Option<(u8, u8, u16)> {
    let today = local.weekday().num_days_from_monday() as u8;
    let minute = (local.hour() * 60 + local.minute()) as u16;
    (0..=7u8).find_map(|ahead| {
        let day = (today + ahead) % 7;
        slots
            .iter()
            .filter(|s| s.weekday == day && (ahead > 0 || s.opens_at > minute))
            .map(|s| s.opens_at)
            .min()
            .map(|at| (ahead, day, at))
    })
}

/// "aujourd'hui à 18:30", "demain à 11:30", "lundi à 11:30".
pub fn opening_text((ahead, weekday, at): (u8, u8, u16)) -> String {
    let day = match ahead {
        0 => "aujourd'hui".to_string(),
        1 => "demain".to_string(),
        _ => WEEKDAYS[weekday as usize].to_lowercase(),
    };
    format!("{day} à {}", hhmm(at))
}

/// Today (in Paris) at `minutes` after local midnight, as stored (UTC).
pub fn today_at(now: DateTime<Utc>, minutes: u16) -> Option<NaiveDateTime> {
    use chrono::TimeZone;
    let day = paris(now).date();
    let local = day.and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?;
    Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc).naive_utc())
}

/// Parses "HH:MM" into minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    const WEDNESDAY: [Slot; 2] = [
        Slot {
            weekday: 2,
            opens_at: 690,
            closes_at: 870,
        },
        Slot {
            weekday: 2,
            opens_at: 1110,
            closes_at: 1380,
        },
    ];

    #[test]
    fn open_inside_a_window_closed_outside() {
        // 2026-11-25 is a Wednesday.
        assert!(is_open(&WEDNESDAY, at(2026, 11, 25, 12, 0)));
        assert!(is_open(&WEDNESDAY, at(2026, 11, 25, 11, 30)));
        assert!(!is_open(&WEDNESDAY, at(2026, 11, 25, 14, 30)));
        assert!(!is_open(&WEDNESDAY, at(2026, 11, 25, 16, 0)));
        assert!(!is_open(&WEDNESDAY, at(2026, 11, 26, 12, 0)));
    }

    #[test]
    fn paris_time_follows_summer_and_winter_time() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        assert_eq!(paris(winter), at(2026, 11, 25, 19, 0));
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 18, 0, 0).unwrap();
        assert_eq!(paris(summer), at(2026, 7, 1, 20, 0));
    }

    #[test]
    fn later_slots_start_after_the_lead_time_and_stay_inside_windows() {
        let slots = later_slots(&WEDNESDAY, at(2026, 11, 25, 13, 50), 30, 15);
        assert_eq!(slots.first(), Some(&(18 * 60 + 30)));
        assert_eq!(slots.last(), Some(&(22 * 60 + 45)));
        let lunch = later_slots(&WEDNESDAY, at(2026, 11, 25, 11, 0), 30, 15);
        assert_eq!(&lunch[..2], &[690, 705]);
        assert!(later_slots(&WEDNESDAY, at(2026, 11, 25, 22, 40), 30, 15).is_empty());
        assert!(later_slots(&WEDNESDAY, at(2026, 11, 26, 12, 0), 30, 15).is_empty());
    }

    #[test]
    fn the_next_opening_is_said_in_french() {
        // Wednesday 25 November 2026.
        let next = |h, m| next_opening(&WEDNESDAY, at(2026, 11, 25, h, m)).map(opening_text);
        assert_eq!(next(10, 0).as_deref(), Some("aujourd'hui à 11:30"));
        assert_eq!(next(15, 0).as_deref(), Some("aujourd'hui à 18:30"));
        // Open on Wednesdays only: next week.
        assert_eq!(next(23, 30).as_deref(), Some("mercredi à 11:30"));
        let tuesday_too = [
            WEDNESDAY[0],
            Slot {
                weekday: 3,
                ..WEDNESDAY[0]
            },
        ];
        let after_close = next_opening(&tuesday_too, at(2026, 11, 25, 23, 0)).map(opening_text);
        assert_eq!(after_close.as_deref(), Some("demain à 11:30"));
        assert_eq!(next_opening(&[], at(2026, 11, 25, 12, 0)), None);
    }

    #[test]
    fn a_slot_of_today_is_stored_in_utc() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0).unwrap();
        assert_eq!(today_at(now, 19 * 60 + 30), Some(at(2026, 11, 25, 18, 30)));
    }

    #[test]
    fn times_parse_as_hh_mm() {
        assert_eq!(parse_hhmm("19:30"), Some(1170));
        for bad in ["7:30", "24:00", "19:60", "1930", "aa:bb", ""] {
            assert_eq!(parse_hhmm(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_week_reads_in_french() {
        let summary = weekly_summary(&WEDNESDAY);
        assert_eq!(
            summary[2],
            ("Mercredi", "11:30–14:30, 18:30–23:00".to_string())
        );
        assert_eq!(summary[6], ("Dimanche", "fermé".to_string()));
    }
}
