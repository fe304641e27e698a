//! The accountant's export: a form with a range of days (this month by default), and the CSV
//! of sales per day, pizzeria, product and payment method for that range.

use crate::domain::sales::{self, parse_day};
use crate::services::dashboard;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::form::FieldErrors;
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::Layout;
use chrono::{Datelike, NaiveDate};
use rocket::http::{ContentType, Header};
use rocket::{get, routes, Responder, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_exports, sales_csv]
}

#[derive(Responder)]
enum Export {
    Csv(String, ContentType, Header<'static>, Header<'static>),
    #[response(status = 422)]
    Invalid(Template),
}

fn page(visitor: &Visitor, csrf: &Csrf, from: &str, to: &str, errors: &FieldErrors) -> Template {
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        from,
        to,
        errors: context! { from: errors.get("from"), to: errors.get("to"), form: errors.get("form") },
    };
    Template::render("admin/exports", ctx)
}

fn this_month() -> (NaiveDate, NaiveDate) {
    let (today, _) = dashboard::days(crate::models::now());
    (today.with_day(1).unwrap_or(today), today)
}

#[get("/exports")]
fn show_exports(_admin: GroupAdmin, visitor: Visitor, csrf: Csrf) -> Template {
    let (from, to) = this_month();
    page(
        &visitor,
        &csrf,
        &from.to_string(),
        &to.to_string(),
        &FieldErrors::default(),
    )
}

/// The CSV, or the form again with what is wrong (422).
#[get("/exports/sales.csv?<from>&<to>")]
async fn sales_csv(
    from: Option<&str>,
    to: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Export> {
    let (from_typed, to_typed) = (from.unwrap_or_default(), to.unwrap_or_default());
    let mut errors = FieldErrors::default();
    let mut day = |field: &str, typed: &str| {
        let parsed = parse_day(typed);
        if parsed.is_none() {
            errors.add(field, "Indiquez une date, par exemple 01/12/2026.");
        }
        parsed
    };
    let (first, last) = (day("from", from_typed), day("to", to_typed));
    let range = match (first, last) {
        (Some(f), Some(l)) => errors.check("to", sales::range(f, l).map_err(String::from)),
        _ => None,
    };
    let Some((from, to)) = range else {
        return Ok(Export::Invalid(page(
            &visitor, &csrf, from_typed, to_typed, &errors,
        )));
    };
    let lines = state
        .db
        .run(move |c| dashboard::sales(c, from, to))
        .await??;
    let name = format!(
        "attachment; filename=\"ventes-ocpizza-{}-{}.csv\"",
        from.format("%Y%m%d"),
        to.format("%Y%m%d")
    );
    Ok(Export::Csv(
        sales::csv(&lines),
        ContentType::new("text", "csv").with_params(("charset", "utf-8")),
        Header::new("Content-Disposition", name),
        Header::new("Cache-Control", "no-store"),
    ))
}
