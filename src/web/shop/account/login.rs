//! Logging in and out. A new session (and a new CSRF token) at each, so that a token seen
//! before never grants the new rights.

use super::form_page;
use crate::domain::login as login_rules;
use crate::services::accounts::{self, AccountError, Home, LoginAttempt, SignedIn};
use crate::services::{sessions, tokens};
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::AppResult;
use crate::web::fields::{take_values, Values};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::Reply;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use std::net::IpAddr;

pub fn routes() -> Vec<Route> {
    routes![show_login, log_in, log_out]
}

/// Only paths of this site: never an open redirect.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && n.len() < 200
            && rocket::http::uri::Origin::parse(n).is_ok()
    })
    .map(str::to_string)
}

#[get("/login?<next>")]
fn show_login(next: Option<&str>, visitor: Visitor, csrf: Csrf) -> Template {
    let values = Values::from([("next".to_string(), safe_next(next).unwrap_or_default())]);
    form_page(
        "account/login",
        &visitor,
        &csrf,
        values,
        FieldErrors::default(),
    )
}

struct LoginForm {
    email: String,
    password: String,
    /// Where the person was going when asked to sign in.
    next: Option<String>,
}

fn read_login(mut f: RawForm) -> (Values, Result<LoginForm, FieldErrors>) {
    let mut values = take_values(&mut f, &["email", "next"]);
    let password = f.text("password");
    let mut errors = FieldErrors::default();
    f.finish(&mut errors);
    let next = safe_next(values.get("next").map(String::as_str));
    values.insert("next".into(), next.clone().unwrap_or_default());
    let email = values["email"].trim().to_lowercase();
    if !errors.is_empty() {
        return (values, Err(errors));
    }
    let form = LoginForm {
        email,
        password,
        next,
    };
    (values, Ok(form))
}

/// Where a person goes once signed in: where they were going, else their own home.
fn landing(next: Option<String>, home: Home) -> String {
    match (next, home) {
        (Some(next), _) => next,
        (None, Home::Customer) => "/account".into(),
        (None, Home::Staff(p)) => format!("/staff/{p}"),
        (None, Home::GroupAdmin) => "/admin".into(),
    }
}

#[post("/login", data = "<form>")]
async fn log_in(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    ip: Option<IpAddr>,
    form: Posted,
) -> AppResult<Reply> {
    let again = |values, errors| form_page("account/login", &visitor, &csrf, values, errors);
    let (values, login) = match read_login(form.0) {
        (values, Ok(login)) => (values, login),
        (values, Err(errors)) => return Ok(Reply::Invalid(again(values, errors))),
    };
    let attempt = LoginAttempt {
        device: cookies::device_for(jar, &login.email),
        email: login.email.clone(),
        password: login.password,
        ip: ip.map_or_else(|| "unknown".to_string(), login_rules::client_key),
    };
    let refused = match accounts::log_in(&state.db, attempt, visitor.session.clone()).await {
        Ok(signed) => {
            set_new_session(jar, &signed, &login.email, state.settings.secure_cookies);
            let to = landing(login.next, signed.home);
            return Ok(Reply::Redirect(Redirect::to(to)));
        }
        Err(e @ (AccountError::Throttled(_) | AccountError::WrongCredentials)) => e,
        Err(e) => return Err(e.into()),
    };
    let mut errors = FieldErrors::default();
    errors.add("form", refused.to_string());
    let page = again(values, errors);
    Ok(match refused {
        AccountError::Throttled(_) => Reply::TooMany(page),
        _ => Reply::Invalid(page),
    })
}

/// The cookies of a new session: its token, a new CSRF token, and the device cookie that lets
/// this browser in even while others guess the account's password.
pub(super) fn set_new_session(jar: &CookieJar<'_>, signed: &SignedIn, email: &str, secure: bool) {
    cookies::set_csrf(jar, &tokens::csrf_token(), secure);
    cookies::set_session(jar, &signed.token, secure);
    cookies::set_device(jar, email, &signed.device, secure);
}

#[post("/logout", data = "<form>")]
async fn log_out(
    state: &State<AppState>,
    visitor: Visitor,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Redirect> {
    form.0.expect_empty()?;
    if let Some(s) = visitor.session {
        state.db.run(move |c| sessions::end(c, &s.id)).await??;
    }
    cookies::clear_session(jar);
    cookies::set_csrf(jar, &tokens::csrf_token(), state.settings.secure_cookies);
    Ok(Redirect::to("/"))
}
