//! Customer accounts: register, log in, log out, saved addresses, order history. Accounts are
//! optional: guests can do everything else.

use super::form::{FieldErrors, Posted, RawForm};
use super::session::{clear_session_cookie, set_session_cookie, Csrf, Visitor};
use super::{Layout, Reply};
use crate::domain::contact::{optional_text, parse_phone, parse_postal_code, parse_text};
use crate::domain::ids::UserId;
use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use crate::error::{AppError, AppResult};
use crate::models::{now, order, session, user};
use crate::services::accounts::{self, Registration};
use crate::services::users::{self, UserError};
use crate::state::AppState;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::OnceLock;

pub fn routes() -> Vec<Route> {
    routes![
        show_login,
        log_in,
        log_out,
        show_register,
        register,
        show_account,
        add_address,
        delete_address,
        list_orders
    ]
}

/// Only paths of this site: never an open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() < 200
                && rocket::http::uri::Origin::parse(n).is_ok() =>
        {
            n.to_string()
        }
        _ => "/account".to_string(),
    }
}

fn form_page(
    name: &'static str,
    visitor: &Visitor,
    csrf: &Csrf,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
) -> Template {
    Template::render(
        name,
        context! { layout: Layout::new(visitor, csrf), values, errors },
    )
}

#[get("/login?<next>")]
fn show_login(next: Option<&str>, visitor: Visitor, csrf: Csrf) -> Template {
    let values = BTreeMap::from([("next".to_string(), safe_next(next))]);
    form_page(
        "account/login",
        &visitor,
        &csrf,
        values,
        FieldErrors::default(),
    )
}

/// A hash to verify against when the e-mail is unknown, so that both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| users::hash_password("a password nobody has").unwrap_or_default())
}

fn take_values(f: &mut RawForm, names: &[&str]) -> BTreeMap<String, String> {
    names.iter().map(|n| (n.to_string(), f.text(n))).collect()
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
    let Posted(mut f) = form;
    let mut values = take_values(&mut f, &["email", "next"]);
    let password = f.text("password");
    let mut errors = FieldErrors::default();
    f.finish(&mut errors);
    let email = values["email"].trim().to_lowercase();
    values.insert("next".into(), safe_next(Some(&values["next"])));
    if !errors.is_empty() {
        return Ok(Reply::Invalid(form_page(
            "account/login",
            &visitor,
            &csrf,
            values,
            errors,
        )));
    }
    let ip = ip.map_or_else(|| "unknown".to_string(), |i| i.to_string());
    let (e, i) = (email.clone(), ip.clone());
    if state
        .db
        .run(move |c| accounts::throttled(c, &e, &i))
        .await??
    {
        errors.add(
            "form",
            format!(
                "Trop de tentatives : réessayez dans {} minutes.",
                accounts::WINDOW_MINUTES
            ),
        );
        return Ok(Reply::TooMany(form_page(
            "account/login",
            &visitor,
            &csrf,
            values,
            errors,
        )));
    }
    let e = email.clone();
    let found = state.db.run(move |c| user::credentials(c, &e)).await??;
    let hash = found.as_ref().map(|(_, h, _)| h.clone());
    let ok = tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
        users::verify_password(&password, &hash)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (e, i) = (email.clone(), ip.clone());
    let Some((id, _, name)) = found.filter(|_| ok) else {
        state
            .db
            .run(move |c| accounts::record_attempt(c, &e, &i, false))
            .await??;
        errors.add("form", "E-mail ou mot de passe incorrect.");
        return Ok(Reply::Invalid(form_page(
            "account/login",
            &visitor,
            &csrf,
            values,
            errors,
        )));
    };
    let new_csrf = crate::services::sessions::random_token();
    let csrf_for_session = new_csrf.clone();
    let old = visitor.session.clone();
    let token = state
        .db
        .run(move |c| {
            crate::db::write_tx(c, |tx| {
                accounts::record_attempt(tx, &e, &i, true)?;
                accounts::log_in(tx, UserId(id), &name, old.as_ref(), &csrf_for_session)
            })
        })
        .await??;
    Csrf::set(jar, new_csrf, state.settings.secure_cookies);
    set_session_cookie(jar, token, state.settings.secure_cookies);
    Ok(Reply::Redirect(Redirect::to(values["next"].clone())))
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
        state.db.run(move |c| session::delete(c, &s.id)).await??;
    }
    clear_session_cookie(jar);
    Csrf::set(
        jar,
        crate::services::sessions::random_token(),
        state.settings.secure_cookies,
    );
    Ok(Redirect::to("/"))
}

#[get("/register")]
fn show_register(visitor: Visitor, csrf: Csrf) -> Template {
    form_page(
        "account/register",
        &visitor,
        &csrf,
        BTreeMap::new(),
        FieldErrors::default(),
    )
}

#[post("/register", data = "<form>")]
async fn register(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    form: Posted,
) -> AppResult<Reply> {
    let Posted(mut f) = form;
    let values = take_values(&mut f, &["name", "email", "phone"]);
    let (password, confirm) = (f.text("password"), f.text("password_confirm"));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let name = e.check("name", parse_text(&values["name"], "Le nom", 120));
    let email = e.check(
        "email",
        users::parse_email(&values["email"])
            .map_err(|_| "Adresse e-mail invalide (ex. : lea@exemple.fr).".to_string()),
    );
    let phone = match values["phone"].trim() {
        "" => Some(None),
        p => e.check("phone", parse_phone(p)).map(Some),
    };
    if password.chars().count() < users::MIN_PASSWORD_LEN {
        e.add(
            "password",
            format!(
                "Le mot de passe doit comporter au moins {} caractères.",
                users::MIN_PASSWORD_LEN
            ),
        );
    } else if password.chars().count() > 200 {
        e.add(
            "password",
            "Le mot de passe est trop long (200 caractères au plus).",
        );
    } else if password != confirm {
        e.add("password_confirm", "Les deux mots de passe diffèrent.");
    }
    let (Some(name), Some(email), Some(phone), true) = (name, email, phone, e.is_empty()) else {
        return Ok(Reply::Invalid(form_page(
            "account/register",
            &visitor,
            &csrf,
            values,
            e,
        )));
    };
    let hash = tokio::task::spawn_blocking(move || users::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let new_csrf = crate::services::sessions::random_token();
    let csrf_for_session = new_csrf.clone();
    let old = visitor.session.clone();
    let registered = state
        .db
        .run(move |c| {
            let r = Registration {
                email: &email,
                full_name: &name,
                phone: phone.as_deref(),
                password_hash: &hash,
            };
            accounts::register(c, &r, old.as_ref(), &csrf_for_session)
        })
        .await?;
    match registered {
        Ok((_, token)) => {
            Csrf::set(jar, new_csrf, state.settings.secure_cookies);
            set_session_cookie(jar, token, state.settings.secure_cookies);
            Ok(Reply::Redirect(Redirect::to("/account")))
        }
        Err(UserError::EmailTaken) => {
            e.add(
                "email",
                "Un compte existe déjà avec cette adresse : connectez-vous.",
            );
            Ok(Reply::Invalid(form_page(
                "account/register",
                &visitor,
                &Csrf(
                    jar.get_private(super::session::CSRF_COOKIE)
                        .map(|c| c.value().to_string())
                        .unwrap_or(csrf.0),
                ),
                values,
                e,
            )))
        }
        Err(other) => Err(AppError::Internal(other.to_string())),
    }
}

/// Guests are sent to the login page, and come back here after it.
fn to_login(path: &str) -> Redirect {
    Redirect::to(format!("/login?next={path}"))
}

#[derive(Serialize)]
struct AddressView {
    id: i64,
    label: String,
    text: String,
    instructions: Option<String>,
}

async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    user: UserId,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
) -> AppResult<Template> {
    let (profile, addresses) = state
        .db
        .run(move |c| -> diesel::QueryResult<_> {
            Ok((user::profile(c, user)?, user::addresses(c, user)?))
        })
        .await??;
    let profile = profile.ok_or_else(|| AppError::NotFound("Compte introuvable.".into()))?;
    let addresses: Vec<AddressView> = addresses
        .into_iter()
        .map(|a| AddressView {
            id: a.id,
            label: a.label,
            text: format!("{}, {} {}", a.street, a.postal_code, a.city),
            instructions: a.instructions,
        })
        .collect();
    let ctx = context! { layout: Layout::new(visitor, csrf), name: profile.full_name, email: profile.email, phone: profile.phone, addresses, values, errors };
    Ok(Template::render("account/show", ctx))
}

#[get("/account")]
async fn show_account(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Reply> {
    let Some(user) = visitor.user() else {
        return Ok(Reply::Redirect(to_login("/account")));
    };
    Ok(Reply::Html(
        account_page(
            state,
            &visitor,
            &csrf,
            user,
            BTreeMap::new(),
            FieldErrors::default(),
        )
        .await?,
    ))
}

#[post("/account/addresses", data = "<form>")]
async fn add_address(
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let Some(user) = visitor.user() else {
        return Ok(Reply::Redirect(to_login("/account")));
    };
    let Posted(mut f) = form;
    let values = take_values(
        &mut f,
        &["label", "street", "postal_code", "city", "instructions"],
    );
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let label = e.check(
        "label",
        parse_text(&values["label"], "Le nom de l'adresse", 60),
    );
    let street = e.check("street", parse_text(&values["street"], "L'adresse", 200));
    let postal = e.check(
        "postal_code",
        parse_postal_code(&values["postal_code"], true),
    );
    let city = e.check("city", parse_text(&values["city"], "La ville", 80));
    let instructions = e.check(
        "instructions",
        optional_text(&values["instructions"], "Les instructions", 500),
    );
    let (Some(label), Some(street), Some(postal_code), Some(city), Some(instructions), true) =
        (label, street, postal, city, instructions, e.is_empty())
    else {
        return Ok(Reply::Invalid(
            account_page(state, &visitor, &csrf, user, values, e).await?,
        ));
    };
    state
        .db
        .run(move |c| {
            let a = user::NewAddress {
                user_id: user.0,
                label: &label,
                street: &street,
                postal_code: &postal_code,
                city: &city,
                instructions: instructions.as_deref(),
                created_at: now(),
            };
            user::insert_address(c, &a)
        })
        .await??;
    Ok(Reply::Redirect(Redirect::to("/account")))
}

#[post("/account/addresses/<id>/delete", data = "<form>")]
async fn delete_address(
    id: i64,
    state: &State<AppState>,
    visitor: Visitor,
    form: Posted,
) -> AppResult<Redirect> {
    let Some(user) = visitor.user() else {
        return Ok(to_login("/account"));
    };
    form.0.expect_empty()?;
    let deleted = state
        .db
        .run(move |c| user::delete_address(c, user, id))
        .await??;
    if !deleted {
        return Err(AppError::NotFound("Cette adresse n'existe pas.".into()));
    }
    Ok(Redirect::to("/account"))
}

#[derive(Serialize)]
struct OrderSummary {
    token: String,
    number: i64,
    placed_at: String,
    status: &'static str,
    total: String,
}

#[get("/account/orders")]
async fn list_orders(state: &State<AppState>, visitor: Visitor, csrf: Csrf) -> AppResult<Reply> {
    let Some(user) = visitor.user() else {
        return Ok(Reply::Redirect(to_login("/account/orders")));
    };
    let rows = state
        .db
        .run(move |c| order::of_user(c, user, 100))
        .await??;
    let orders: Vec<OrderSummary> = rows
        .into_iter()
        .map(|o| OrderSummary {
            number: o.id,
            placed_at: super::orders::french_time(o.created_at),
            status: OrderStatus::parse(&o.status).map_or("", |s| s.label()),
            total: Money::from_cents(o.total_cents).to_string(),
            token: o.token,
        })
        .collect();
    Ok(Reply::Html(Template::render(
        "account/orders",
        context! { layout: Layout::new(&visitor, &csrf), orders },
    )))
}
