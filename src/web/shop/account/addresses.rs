//! The account page: profile and saved addresses, added and deleted.

use crate::domain::contact::Address;
use crate::domain::ids::{AddressId, InvalidId};
use crate::domain::text::parse_text;
use crate::models::user;
use crate::services::accounts;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::fields::{self, take_values, Values, ADDRESS_FIELDS, ADDRESS_LABEL};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, Customer, Visitor};
use crate::web::layout::{Layout, Reply};
use rocket::response::Redirect;
use rocket::serde::Serialize;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};

pub fn routes() -> Vec<Route> {
    routes![show_account, add_address, delete_address]
}

#[derive(Serialize)]
struct AddressView {
    id: i64,
    label: String,
    text: String,
    instructions: Option<String>,
}

pub(super) async fn account_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    customer: &Customer,
    values: Values,
    errors: FieldErrors,
) -> AppResult<Template> {
    let user = customer.user;
    let (profile, addresses) = state
        .db
        .run(move |c| user::account(c, user))
        .await??
        .ok_or_else(|| AppError::NotFound("Compte introuvable.".into()))?;
    let addresses: Vec<AddressView> = addresses
        .into_iter()
        .map(|a| AddressView {
            id: a.id.0,
            label: a.label,
            text: format!("{}, {} {}", a.street, a.postal_code, a.city),
            instructions: a.instructions,
        })
        .collect();
    let layout = Layout::new(visitor, csrf);
    let ctx = context! {
        layout, name: profile.full_name, email: profile.email,
        phone_text: profile.phone.clone().unwrap_or_default(), phone: profile.phone, addresses,
        values, errors,
    };
    Ok(Template::render("account/show", ctx))
}

#[get("/account")]
async fn show_account(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
) -> AppResult<Template> {
    let (values, errors) = (Values::new(), FieldErrors::default());
    account_page(state, &visitor, &csrf, &customer, values, errors).await
}

/// A saved address: its label and the address itself.
fn read_address_form(mut f: RawForm) -> (Values, Result<(String, Address), FieldErrors>) {
    let mut values = take_values(&mut f, &["label"]);
    values.extend(take_values(&mut f, &ADDRESS_FIELDS));
    let mut e = FieldErrors::default();
    f.finish(&mut e);
    let label = e.check("label", parse_text(&values["label"], ADDRESS_LABEL, 60));
    let address = fields::address(&values, &mut e);
    let form = match (label, address) {
        (Some(label), Some(address)) if e.is_empty() => Ok((label, address)),
        _ => Err(e),
    };
    (values, form)
}

#[post("/account/addresses", data = "<form>")]
async fn add_address(
    state: &State<AppState>,
    visitor: Visitor,
    customer: Customer,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let (label, address) = match read_address_form(form.0) {
        (_, Ok(read)) => read,
        (values, Err(e)) => {
            let page = account_page(state, &visitor, &csrf, &customer, values, e).await?;
            return Ok(Reply::Invalid(page));
        }
    };
    let user = customer.user;
    state
        .db
        .run(move |c| accounts::add_address(c, user, &label, &address))
        .await??;
    Ok(Reply::Redirect(Redirect::to("/account")))
}

#[post("/account/addresses/<id>/delete", data = "<form>")]
async fn delete_address(
    id: Result<AddressId, InvalidId>,
    state: &State<AppState>,
    customer: Customer,
    form: Posted,
) -> AppResult<Redirect> {
    form.0.expect_empty()?;
    let id = id.map_err(|_| AppError::NotFound("Cette adresse n'existe pas.".into()))?;
    let user = customer.user;
    state
        .db
        .run(move |c| accounts::delete_address(c, user, id))
        .await??;
    Ok(Redirect::to("/account"))
}
