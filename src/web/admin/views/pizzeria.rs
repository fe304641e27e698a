//! The pizzeria form (details and weekly hours, two windows a day) and the pizzeria of a path.

use crate::domain::contact::{parse_phone, parse_postal_code};
use crate::domain::hours::{hhmm, Slot, WEEKDAYS};
use crate::domain::ids::{InvalidId, PizzeriaId};
use crate::domain::pizzeria::{overlap, parse_window, WINDOWS_PER_DAY};
use crate::domain::text::{parse_text, Label};
use crate::models::pizzeria::Pizzeria;
use crate::models::pizzeria_admin::Details;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, RawForm};
use serde::Serialize;
use std::collections::BTreeMap;

/// A pizzeria of the path, closed ones included; a malformed or unknown id is a French 404.
pub async fn pizzeria_of(
    state: &AppState,
    id: Result<PizzeriaId, InvalidId>,
) -> AppResult<Pizzeria> {
    let unknown = || AppError::NotFound("Cette pizzeria n'existe pas.".into());
    let id = id.map_err(|_| unknown())?;
    state
        .db
        .run(move |c| Pizzeria::find(c, id))
        .await??
        .ok_or_else(unknown)
}

/// The pizzeria form as typed: its details and its week, two windows a day.
#[derive(Serialize, Default)]
pub struct PizzeriaTyped {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    /// Per weekday (Monday first): its name and its windows as (opens, closes).
    pub week: Vec<(&'static str, Vec<(String, String)>)>,
}

impl PizzeriaTyped {
    /// A week as stored, or the usual lunch and evening hours for a new pizzeria.
    pub fn with_week(mut self, slots: Option<&[Slot]>) -> Self {
        self.week = (0..7u8)
            .map(|day| {
                let mut windows: Vec<(String, String)> = match slots {
                    Some(slots) => {
                        let mut mine: Vec<&Slot> =
                            slots.iter().filter(|s| s.weekday == day).collect();
                        mine.sort_by_key(|s| s.opens_at);
                        mine.iter()
                            .map(|s| (hhmm(s.opens_at), hhmm(s.closes_at)))
                            .collect()
                    }
                    None => vec![
                        ("11:30".into(), "14:30".into()),
                        ("18:30".into(), "23:00".into()),
                    ],
                };
                windows.resize(WINDOWS_PER_DAY, (String::new(), String::new()));
                (WEEKDAYS[usize::from(day)], windows)
            })
            .collect();
        self
    }
}

/// Reads the pizzera form: its details, checked, and its week, each window checked and no two
/// overlapping.
pub fn read_pizzeria(
    mut form: RawForm,
    errors: &mut FieldErrors,
) -> (PizzeriaTyped, Option<(Details, Vec<Slot>)>) {
    let mut t = PizzeriaTyped {
        name: form.text("name"),
        street: form.text("street"),
        postal_code: form.text("postal_code"),
        city: form.text("city"),
        phone: form.text("phone"),
        week: Vec::new(),
    };
    let opens = indexed_by(&mut form, "open", errors);
    let closes = indexed_by(&mut form, "close", errors);
    form.finish(errors);
    let name = errors.check("name", parse_text(&t.name, Label::one("Le nom"), 120));
    let street = errors.check(
        "street",
        parse_text(&t.street, Label::one("L'adresse"), 200),
    );
    let postal_code = errors.check("postal_code", parse_postal_code(&t.postal_code, false));
    let city = errors.check("city", parse_text(&t.city, Label::one("La ville"), 80));
    let phone = errors.check("phone", parse_phone(&t.phone));
    let mut slots = Vec::new();
    for day in 0..7u8 {
        let mut windows = Vec::new();
        for w in 0..WINDOWS_PER_DAY {
            let key = format!("{day}-{w}");
            let (o, c) = (
                opens.get(&key).cloned().unwrap_or_default(),
                closes.get(&key).cloned().unwrap_or_default(),
            );
            match parse_window(day, &o, &c) {
                Ok(Some(slot)) => slots.push(slot),
                Ok(None) => {}
                Err(e) => errors.add("hours", e),
            }
            windows.push((o, c));
        }
        t.week.push((WEEKDAYS[usize::from(day)], windows));
    }
    if let Some(e) = overlap(&slots) {
        errors.add("hours", e);
    }
    let out = match (name, street, postal_code, city, phone, errors.is_empty()) {
        (Some(name), Some(street), Some(postal_code), Some(city), Some(phone), true) => Some((
            Details {
                name,
                street,
                postal_code,
                city,
                phone,
            },
            slots,
        )),
        _ => None,
    };
    (t, out)
}

fn indexed_by(
    form: &mut RawForm,
    prefix: &str,
    errors: &mut FieldErrors,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in form.take_indexed(prefix) {
        if out.len() > 7 * WINDOWS_PER_DAY {
            errors.add(
                "form",
                "Formulaire inattendu : rechargez la page et réessayez.",
            );
            break;
        }
        out.insert(key, value);
    }
    out
}
