//! The account's settings: name and phone, password, signing out everywhere, deleting it.

use super::check_new_password;
use crate::domain::login as login_rules;
use crate::services::accounts::{self, AccountError, Asker};
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::{AppError, AppResult};
use crate::web::fields::{self, take_values, Values};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Customer, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use std::net::IpAddr;

pub fn routes() -> Vec<Route> {
    routes![
        update_profile,
        change_password,
        end_sessions,
        delete_account
    ]
}

/// Who types a password here, for its throttling: the client and its device cookie.
fn asker(jar: &CookieJar<'_>, ip: Option<IpAddr>) -> Asker {
    Asker {
        ip: ip.map_or_else(|| "unknown".to_string(), login_rules::client_key),
        device: cookies::device(jar),
    }
}

/// The account page again, with the message of each refused field.
async fn again(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    customer: &Customer,
    values: Values,
    errors: FieldErrors,
) -> AppResult<Reply> {
    let page = super::addresses::account_page(state, visitor, csrf, customer, values, errors);
    Ok(Reply::Invalid(page.await?))
}

fn read_profile(mut f: RawForm) -> (Values, Result<(String, Option<String>), FieldErrors>) {
    let values = take_values(&mut f, &["name", "phone"]);
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let name = fields::name(&values, &mut e);
    let phone = fields::optional_phone(&values, &mut e);
    let form = match (name, phone) {
        (Some(name), Some(phone)) if e.is_empty() => Ok((name, phone)),
        _ => Err(e),
    };
    (values, form)
}

#[post("/account/profile", data = "<form>")]
async fn update_profile(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let (name, phone) = match read_profile(form.0) {
        (_, Ok(profile)) => profile,
        (values, Err(e)) => return again(state, &visitor, &csrf, &customer, values, e).await,
    };
    let session = visitor.session.as_ref().map(|s| s.id.clone());
    let session = session.ok_or_else(|| AppError::Conflict("Votre session a expiré.".into()))?;
    let user = customer.user;
    state
        .db
        .run(move |c| accounts::update_profile(c, user, &name, phone.as_deref(), &session))
        .await??;
    Ok(Reply::Redirect(Redirect::to("/account")))
}

fn read_password_change(mut f: RawForm) -> Result<(String, String), FieldErrors> {
    let current = f.text("current_password");
    let (new, confirm) = (f.text("new_password"), f.text("new_password_confirm"));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    check_new_password(
        &new,
        &confirm,
        ("new_password", "new_password_confirm"),
        &mut e,
    );
    if e.is_empty() {
        Ok((current, new))
    } else {
        Err(e)
    }
}

/// A new password, given the current one; every other session of the account ends.
#[post("/account/password", data = "<form>")]
async fn change_password(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    ip: Option<IpAddr>,
    form: Posted,
) -> AppResult<Reply> {
    let (current, new) = match read_password_change(form.0) {
        Ok(change) => change,
        Err(e) => return again(state, &visitor, &csrf, &customer, Values::new(), e).await,
    };
    let Some(session) = visitor.session.as_ref().map(|s| s.id.clone()) else {
        return Err(AppError::Conflict("Votre session a expiré.".into()));
    };
    let asker = asker(jar, ip);
    let passwords = (current, new);
    match accounts::change_password(&state.db, customer.user, passwords, session, &asker).await {
        Ok(()) => Ok(Reply::Redirect(Redirect::to("/account"))),
        Err(e @ (AccountError::WrongPassword | AccountError::Throttled(_))) => {
            let mut errors = FieldErrors::default();
            errors.add("current_password", e.to_string());
            again(state, &visitor, &csrf, &customer, Values::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "Se déconnecter de tous les appareils", this one included.
#[post("/account/sessions/end", data = "<form>")]
async fn end_sessions(
    state: &State<AppState>,
    customer: Customer,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Redirect> {
    form.0.expect_empty()?;
    let user = customer.user;
    state
        .db
        .run(move |c| accounts::end_all_sessions(c, user))
        .await??;
    cookies::clear_session(jar);
    Ok(Redirect::to("/"))
}

/// Deletes the account, confirmed by its password.
#[post("/account/delete", data = "<form>")]
async fn delete_account(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    ip: Option<IpAddr>,
    form: Posted,
) -> AppResult<Reply> {
    let Posted(mut f) = form;
    let password = f.text("delete_password");
    f.expect_empty()?;
    let asker = asker(jar, ip);
    match accounts::delete_account(&state.db, customer.user, password, &asker).await {
        Ok(()) => {
            cookies::clear_session(jar);
            cookies::clear_device(jar);
            let layout = Layout::new(&Visitor { session: None }, &csrf);
            Ok(Reply::Html(Template::render(
                "account/deleted",
                context! { layout },
            )))
        }
        Err(
            e @ (AccountError::WrongPassword
            | AccountError::OrderInProgress
            | AccountError::StaffAccount
            | AccountError::Throttled(_)),
        ) => {
            let mut errors = FieldErrors::default();
            errors.add("delete_password", e.to_string());
            again(state, &visitor, &csrf, &customer, Values::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
