//! Creating a customer account, signed in at once (the cart is kept).

use super::login::set_new_session;
use super::{check_new_password, dead_link, form_page};
use crate::domain::account::LinkPurpose;
use crate::domain::token::{AccountToken, InvalidToken};
use crate::models::user;
use crate::services::accounts::{self, AccountError, Registration, SignedIn};
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
    routes![
        show_register,
        register_customer,
        show_confirmation,
        confirm_registration
    ]
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

fn read_registration(mut f: RawForm) -> (Values, Result<Registration, FieldErrors>) {
    let values = take_values(&mut f, &["name", "email", "phone"]);
    let (password, confirm) = (f.text("password"), f.text("password_confirm"));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let name = fields::name(&values, &mut e);
    let email = fields::email(&values, &mut e);
    let phone = fields::optional_phone(&values, &mut e);
    check_new_password(
        &password,
        &confirm,
        ("password", "password_confirm"),
        &mut e,
    );
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
    form: Posted,
) -> AppResult<Reply> {
    let registration = match read_registration(form.0) {
        (_, Ok(r)) => r,
        (values, Err(errors)) => {
            let page = form_page("account/register", &visitor, &csrf, values, errors);
            return Ok(Reply::Invalid(page));
        }
    };
    let email = registration.email.clone();
    accounts::request_registration(&state.db, registration).await?;
    // The same page whether or not the address has an account: the e-mail says which.
    let layout = Layout::new(&visitor, &csrf);
    let page = Template::render("account/registered", context! { layout, email });
    Ok(Reply::Html(page))
}

/// A confirmation link opened: a button confirms (a mail client that only looks at a link does
/// not use it up).
#[get("/register/confirm/<token>")]
async fn show_confirmation(
    token: Result<AccountToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Reply> {
    let Ok(token) = token else {
        return Ok(dead_link(&visitor, &csrf));
    };
    let t = token.clone();
    let purpose = LinkPurpose::ConfirmEmail;
    if !state
        .db
        .run(move |c| accounts::check_link(c, &t, purpose))
        .await??
    {
        return Ok(dead_link(&visitor, &csrf));
    }
    let layout = Layout::new(&visitor, &csrf);
    let page = Template::render("account/confirm", context! { layout, token });
    Ok(Reply::Html(page))
}

#[post("/register/confirm/<token>", data = "<form>")]
async fn confirm_registration(
    token: Result<AccountToken, InvalidToken>,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Reply> {
    form.0.expect_empty()?;
    let Ok(token) = token else {
        return Ok(dead_link(&visitor, &csrf));
    };
    let old = visitor.session.clone();
    let confirmed = state
        .db
        .run(move |c| accounts::confirm_registration(c, &token, old.as_ref()))
        .await?;
    match confirmed {
        Ok(signed) => {
            let email = signed_email(state, &signed).await?;
            set_new_session(jar, &signed, &email, state.settings.secure_cookies);
            Ok(Reply::Redirect(Redirect::to("/account")))
        }
        Err(AccountError::LinkExpired) => Ok(dead_link(&visitor, &csrf)),
        Err(e) => Err(e.into()),
    }
}

/// The e-mail of the account just signed in (its device cookie names it).
pub(super) async fn signed_email(state: &AppState, signed: &SignedIn) -> AppResult<String> {
    let user = signed.user;
    let profile = state.db.run(move |c| user::profile(c, user)).await??;
    Ok(profile.map(|p| p.email).unwrap_or_default())
}
