//! A forgotten password: ask for a link by e-mail, then choose a new password through it.

use super::login::set_new_session;
use super::register::signed_email;
use super::{check_new_password, dead_link, form_page};
use crate::domain::account::LinkPurpose;
use crate::domain::token::{AccountToken, InvalidToken};
use crate::services::accounts::{self, AccountError};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::fields::{self, take_values, Values};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_forgot, ask_reset, show_reset, reset_password]
}

#[get("/password/forgot")]
fn show_forgot(visitor: Visitor, csrf: Csrf) -> Template {
    form_page(
        "account/forgot",
        &visitor,
        &csrf,
        Values::new(),
        FieldErrors::default(),
    )
}

/// The same answer whether or not the address has an account.
#[post("/password/forgot", data = "<form>")]
async fn ask_reset(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let Posted(mut f) = form;
    let values = take_values(&mut f, &["email"]);
    let mut errors = FieldErrors::default();
    f.finish(&mut errors);
    let email = fields::email(&values, &mut errors);
    let (Some(email), true) = (email, errors.is_empty()) else {
        let page = form_page("account/forgot", &visitor, &csrf, values, errors);
        return Ok(Reply::Invalid(page));
    };
    let e = email.clone();
    state
        .db
        .run(move |c| accounts::request_password_reset(c, &e))
        .await??;
    let layout = Layout::new(&visitor, &csrf);
    Ok(Reply::Html(Template::render(
        "account/forgot_sent",
        context! { layout, email },
    )))
}

fn reset_page(
    visitor: &Visitor,
    csrf: &Csrf,
    token: &AccountToken,
    errors: FieldErrors,
) -> Template {
    let layout = Layout::new(visitor, csrf);
    Template::render("account/reset", context! { layout, token, errors })
}

#[get("/password/reset/<token>")]
async fn show_reset(
    token: Result<AccountToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let Ok(token) = token else {
        return Ok(dead_link(&visitor, &csrf));
    };
    let t = token.clone();
    let purpose = LinkPurpose::ResetPassword;
    if !state
        .db
        .run(move |c| accounts::check_link(c, &t, purpose))
        .await??
    {
        return Ok(dead_link(&visitor, &csrf));
    }
    let page = reset_page(&visitor, &csrf, &token, FieldErrors::default());
    Ok(Reply::Html(page))
}

/// A new password typed twice, following `domain::password`.
fn read_new_password(mut f: RawForm) -> Result<String, FieldErrors> {
    let (password, confirm) = (f.text("password"), f.text("password_confirm"));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    check_new_password(
        &password,
        &confirm,
        ("password", "password_confirm"),
        &mut e,
    );
    if e.is_empty() {
        Ok(password)
    } else {
        Err(e)
    }
}

#[post("/password/reset/<token>", data = "<form>")]
async fn reset_password(
    token: Result<AccountToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Reply> {
    let Ok(token) = token else {
        return Ok(dead_link(&visitor, &csrf));
    };
    let password = match read_new_password(form.0) {
        Ok(p) => p,
        Err(errors) => return Ok(Reply::Invalid(reset_page(&visitor, &csrf, &token, errors))),
    };
    let old = visitor.session.clone();
    match accounts::reset_password(&state.db, token, password, old).await {
        Ok(signed) => {
            let email = signed_email(state, &signed).await?;
            set_new_session(jar, &signed, &email, state.settings.secure_cookies);
            Ok(Reply::Redirect(Redirect::to("/account")))
        }
        Err(AccountError::LinkExpired) => Ok(dead_link(&visitor, &csrf)),
        Err(e) => Err(e.into()),
    }
}
