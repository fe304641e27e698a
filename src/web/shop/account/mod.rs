//! Customer accounts: register, log in, log out, saved addresses, order history. Accounts are
//! optional: guests can do everything else.

mod addresses;
mod history;
mod login;
mod password;
mod register;
mod settings;

use crate::domain::password as password_rules;
use crate::services::accounts::AccountError;
use crate::web::fields::Values;
use crate::web::form::FieldErrors;
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::Route;
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    let mut all = login::routes();
    all.extend(register::routes());
    all.extend(addresses::routes());
    all.extend(history::routes());
    all.extend(password::routes());
    all.extend(settings::routes());
    all
}

/// "Ce lien n'est plus valable…" (404): a one-time link used already, expired or made up.
fn dead_link(visitor: &Visitor, csrf: &Csrf) -> Reply {
    let layout = Layout::new(visitor, csrf);
    let message = AccountError::LinkExpired.to_string();
    Reply::NotFound(Template::render(
        "account/dead_link",
        context! { layout, message },
    ))
}

/// A new password typed twice (fields `field` and `confirm_field`), as `domain::password` says.
fn check_new_password(
    password: &str,
    confirm: &str,
    (field, confirm_field): (&str, &str),
    e: &mut FieldErrors,
) {
    match password_rules::check_new(password) {
        Err(why) => e.add(field, why),
        Ok(_) if !password_rules::same(password, confirm) => {
            e.add(confirm_field, "Les deux mots de passe diffèrent.")
        }
        Ok(_) => {}
    }
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
