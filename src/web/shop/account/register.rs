//! Creating a customer account, signed in at once (the cart is kept).

use super::form_page;
use super::login::set_new_session;
use crate::domain::password;
use crate::services::accounts::{self, AccountError, Registration};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::fields::{self, take_values, Values};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::Reply;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;

pub fn routes() -> Vec<Route> {
    routes![show_register, register_customer]
}

#[get("/register")]
fn show_register(visitor: Visitor, csrf: Csrf) -> Template {
    form_page(
        "account/register",
        &visitor,
        &csrf,
        Values::new(),
        FieldErrors::default(),
    )
}

/// The rules of `domain::password`, and the same password typed twice.
fn check_password(password: &str, confirm: &str, e: &mut FieldErrors) {
    match password::check_new(password) {
        Err(why) => e.add("password", why),
        Ok(_) if password != confirm => {
            e.add("password_confirm", "Les deux mots de passe diffèrent.")
        }
        Ok(_) => {}
    }
}

fn read_registration(mut f: RawForm) -> (Values, Result<Registration, FieldErrors>) {
    let values = take_values(&mut f, &["name", "email", "phone"]);
    let (password, confirm) = (f.text("password"), f.text("password_confirm"));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let name = fields::name(&values, &mut e);
    let email = fields::email(&values, &mut e);
    let phone = fields::optional_phone(&values, &mut e);
    check_password(&password, &confirm, &mut e);
    let form = match (name, email, phone) {
        (Some(full_name), Some(email), Some(phone)) if e.is_empty() => Ok(Registration {
            email,
            full_name,
            phone,
            password,
        }),
        _ => Err(e),
    };
    (values, form)
}

#[post("/register", data = "<form>")]
async fn register_customer(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Reply> {
    let again = |values, errors| form_page("account/register", &visitor, &csrf, values, errors);
    let (values, registration) = match read_registration(form.0) {
        (values, Ok(r)) => (values, r),
        (values, Err(errors)) => return Ok(Reply::Invalid(again(values, errors))),
    };
    let email = registration.email.clone();
    match accounts::register(&state.db, registration, visitor.session.clone()).await {
        Ok(signed) => {
            set_new_session(jar, &signed, &email, state.settings.secure_cookies);
            Ok(Reply::Redirect(Redirect::to("/account")))
        }
        Err(e @ AccountError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", e.to_string());
            Ok(Reply::Invalid(again(values, errors)))
        }
        Err(e) => Err(e.into()),
    }
}
