//! Customer accounts: register, log in, log out, saved addresses, order history. Accounts are
//! optional: guests can do everything else.

mod addresses;
mod history;
mod login;
mod register;

use crate::web::fields::Values;
use crate::web::form::FieldErrors;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::Layout;
use rocket::Route;
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    let mut all = login::routes();
    all.extend(register::routes());
    all.extend(addresses::routes());
    all.extend(history::routes());
    all
}

/// A form page shown again with its values and the message of each refused field.
fn form_page(
    name: &'static str,
    visitor: &Visitor,
    csrf: &Csrf,
    values: Values,
    errors: FieldErrors,
) -> Template {
    Template::render(
        name,
        context! { layout: Layout::new(visitor, csrf), values, errors },
    )
}
