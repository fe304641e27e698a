//! What the direction's pages share: the product form read field by field (its recipe lines
//! and steps as typed, each with its message) into the product to save; the pizzeria form and
//! the pizzeria of a path (`pizzeria`).

pub mod pizzeria;

use crate::domain::catalog::{parse_price, ProductKind};
use crate::domain::ids::IngredientId;
use crate::domain::supply::parse_quantity;
use crate::domain::text::{optional_text, parse_text, Label};
use crate::models::catalog_admin::{IngredientEntry, ProductEntry, Recipe};
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
