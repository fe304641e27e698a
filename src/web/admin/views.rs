//! What the direction's forms share: the product form read field by field (its recipe lines
//! and steps as typed, each with its message) into the product to save; the pizzeria form
//! (details and weekly hours).

use crate::domain::catalog::{parse_price, ProductKind};
use crate::domain::contact::{parse_phone, parse_postal_code};
use crate::domain::hours::{hhmm, Slot, WEEKDAYS};
use crate::domain::ids::IngredientId;
use crate::domain::pizzeria::{overlap, parse_window, WINDOWS_PER_DAY};
use crate::domain::supply::parse_quantity;
use crate::domain::text::{optional_text, parse_text, Label};
use crate::models::catalog_admin::{IngredientEntry, ProductEntry, Recipe};
use crate::models::pizzeria_admin::Details;
use crate::services::catalog::ProductForm;
use crate::web::form::{FieldErrors, RawForm};
use serde::Serialize;
use std::collections::BTreeMap;

/// Empty lines a form offers beyond the recipe's own.
const SPARE_LINES: usize = 4;
const SPARE_STEPS: usize = 2;

/// What the form shows: the values as typed, one row per recipe line and per step.
#[derive(Serialize, Default)]
pub struct Typed {
    pub kind: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub active: bool,
    pub lines: Vec<LineRow>,
    pub steps: Vec<StepRow>,
}

#[derive(Serialize, Default, Clone)]
pub struct LineRow {
    ingredient: String,
    qty: String,
    unit: String,
    error: Option<String>,
}

#[derive(Serialize, Default, Clone)]
pub struct StepRow {
    order: String,
    text: String,
    error: Option<String>,
}

/// Each row's message beside it.
pub fn attach(t: &mut Typed, errors: &FieldErrors) {
    for (i, row) in t.lines.iter_mut().enumerate() {
        row.error = errors.get(&format!("line[{i}]")).map(String::from);
    }
    for (i, row) in t.steps.iter_mut().enumerate() {
        row.error = errors
            .get(&format!("step[{i}]"))
            .or_else(|| errors.get(&format!("order[{i}]")))
            .map(String::from);
    }
}

pub fn typed_of(p: &ProductEntry, r: &Recipe) -> Typed {
    let mut t = Typed {
        kind: p.kind.as_str().into(),
        name: p.name.clone(),
        description: p.description.clone(),
        price: format!("{},{:02}", p.price.cents() / 100, p.price.cents() % 100),
        active: p.active,
        lines: r
            .lines
            .iter()
            .map(|(i, _, unit, qty)| LineRow {
                ingredient: i.0.to_string(),
                qty: qty.to_string(),
                unit: unit.as_str().into(),
                error: None,
            })
            .collect(),
        steps: r
            .steps
            .iter()
            .enumerate()
            .map(|(n, s)| StepRow {
                order: (n + 1).to_string(),
                text: s.clone(),
                error: None,
            })
            .collect(),
    };
    pad(&mut t);
    t
}

pub fn pad(t: &mut Typed) {
    t.lines
        .extend(std::iter::repeat_n(LineRow::default(), SPARE_LINES));
    let next = t.steps.len();
    t.steps.extend((0..SPARE_STEPS).map(|n| StepRow {
        order: (next + n + 1).to_string(),
        text: String::new(),
        error: None,
    }));
}

/// Takes every `prefix[n]` field, by n.
fn indexed(form: &mut RawForm, prefix: &str, errors: &mut FieldErrors) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    for (key, value) in form.take_indexed(prefix) {
        match key.parse::<usize>() {
            Ok(n) if n < 100 => {
                out.insert(n, value);
            }
            _ => errors.add(
                "form",
                "Formulaire inattendu : rechargez la page et réessayez.",
            ),
        }
    }
    out
}

/// Reads the form into what it typed and, when all is right, the product to save.
pub fn read_form(
    mut form: RawForm,
    known: &[IngredientEntry],
    errors: &mut FieldErrors,
) -> (Typed, Option<ProductForm>) {
    let mut t = Typed {
        kind: form.text("kind"),
        name: form.text("name"),
        description: form.text("description"),
        price: form.text("price"),
        active: form.take("active").is_some(),
        ..Typed::default()
    };
    let (ingredients, qtys, units) = (
        indexed(&mut form, "ingredient", errors),
        indexed(&mut form, "qty", errors),
        indexed(&mut form, "unit", errors),
    );
    let (orders, texts) = (
        indexed(&mut form, "order", errors),
        indexed(&mut form, "step", errors),
    );
    form.finish(errors);
    let kind = ProductKind::parse(&t.kind);
    if kind.is_none() {
        errors.add(
            "kind",
            "Choisissez la catégorie : pizza, boisson ou dessert.",
        );
    }
    let name = errors.check("name", parse_text(&t.name, Label::one("Le nom"), 120));
    let description = errors
        .check(
            "description",
            optional_text(&t.description, Label::one("La description"), 500),
        )
        .map(Option::unwrap_or_default);
    let price = errors.check("price", parse_price(&t.price));
    let lines = read_lines(&mut t, (&ingredients, &qtys, &units), known, errors);
    let steps = read_steps(&mut t, &orders, &texts, errors);
    let product = match (kind, name, description, price, errors.is_empty()) {
        (Some(kind), Some(name), Some(description), Some(price), true) => Some(ProductForm {
            kind,
            name,
            description,
            price,
            active: t.active,
            lines,
            steps,
        }),
        _ => None,
    };
    (t, product)
}

type Columns<'a> = (
    &'a BTreeMap<usize, String>,
    &'a BTreeMap<usize, String>,
    &'a BTreeMap<usize, String>,
);

fn read_lines(
    t: &mut Typed,
    (ingredients, qtys, units): Columns<'_>,
    known: &[IngredientEntry],
    errors: &mut FieldErrors,
) -> Vec<(IngredientId, i64)> {
    let mut lines: Vec<(IngredientId, i64)> = Vec::new();
    let all: std::collections::BTreeSet<usize> =
        ingredients.keys().chain(qtys.keys()).copied().collect();
    for n in all {
        let row = LineRow {
            ingredient: ingredients.get(&n).cloned().unwrap_or_default(),
            qty: qtys.get(&n).cloned().unwrap_or_default(),
            unit: units.get(&n).cloned().unwrap_or_default(),
            error: None,
        };
        let at = t.lines.len();
        if let Some(line) = read_line(&row, at, known, &lines, errors) {
            lines.push(line);
        }
        t.lines.push(row);
    }
    if lines.is_empty() {
        errors.add("lines", "Une recette compte au moins un ingrédient.");
    }
    lines
}

/// The steps typed, in the order of their numbers (then of the form); blank ones dropped.
fn read_steps(
    t: &mut Typed,
    orders: &BTreeMap<usize, String>,
    texts: &BTreeMap<usize, String>,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let mut steps: Vec<(i64, usize, String)> = Vec::new();
    for (n, text) in texts {
        let order = orders.get(n).cloned().unwrap_or_default();
        let at = t.steps.len();
        let kept = errors
            .check(
                &format!("step[{at}]"),
                optional_text(text, Label::one("L'étape"), 300),
            )
            .flatten();
        match (kept, order.trim().parse::<i64>()) {
            (Some(s), Ok(o)) if (1..=99).contains(&o) => steps.push((o, *n, s)),
            (Some(_), _) => errors.add(&format!("order[{at}]"), "Numérotez l'étape de 1 à 99."),
            (None, _) => {}
        }
        t.steps.push(StepRow {
            order,
            text: text.clone(),
            error: None,
        });
    }
    steps.sort();
    steps.into_iter().map(|(_, _, s)| s).collect()
}

/// One recipe line: blank is skipped; otherwise a known ingredient, once, in its unit, above 0.
fn read_line(
    row: &LineRow,
    at: usize,
    known: &[IngredientEntry],
    taken: &[(IngredientId, i64)],
    errors: &mut FieldErrors,
) -> Option<(IngredientId, i64)> {
    if row.ingredient.trim().is_empty() && row.qty.trim().is_empty() {
        return None;
    }
    let field = format!("line[{at}]");
    let Some(i) = IngredientId::parse(row.ingredient.trim())
        .ok()
        .and_then(|id| known.iter().find(|k| k.id == id))
    else {
        errors.add(&field, "Choisissez un ingrédient de la liste.");
        return None;
    };
    if taken.iter().any(|(id, _)| *id == i.id) {
        errors.add(
            &field,
            format!("{} figure déjà sur une autre ligne.", i.name),
        );
        return None;
    }
    let qty = errors.check(&field, parse_quantity(&row.qty, &row.unit, i.unit, false))?;
    if qty == 0 {
        errors.add(&field, "La quantité doit être d'au moins 1.");
        return None;
    }
    Some((i.id, qty))
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
