//! HTTP layer, grouped by audience: `shop` (customers), `staff` (`/staff/<pizzeria_id>/…`),
//! `admin` (`/admin`). Handlers parse their input into domain values, call one service (or a
//! named read of the models), and answer with a template or a redirect. They never write to the
//! database themselves.

mod admin;
mod cookies;
pub mod error;
mod fields;
pub mod form;
mod format;
pub mod guards;
mod headers;
mod health;
mod layout;
mod params;
mod shop;
mod staff;
mod stream;

pub use headers::Headers;

use error::{error_page, message_for};
use guards::Refusal;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Catcher, Request, Route};

pub fn routes() -> Vec<Route> {
    let mut all = shop::routes();
    all.extend(health::routes());
    all
}

/// Mounted at `/staff`: every route's first segment is the pizzeria.
pub fn staff_routes() -> Vec<Route> {
    staff::routes()
}

/// Mounted at `/admin`.
pub fn admin_routes() -> Vec<Route> {
    admin::routes()
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![sign_in_first, default_catcher]
}

struct ErrorPage(Status);

impl<'r> rocket::response::Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        let why = req.local_cache(Refusal::default).0;
        error_page(req, self.0, why.unwrap_or_else(|| message_for(self.0)))
    }
}

#[derive(rocket::Responder)]
enum SignIn {
    Redirect(Box<Redirect>),
    Page(ErrorPage),
}

/// A guest asking for a signed-in page is sent to the login page, and back here after it.
#[rocket::catch(401)]
fn sign_in_first(req: &Request<'_>) -> SignIn {
    if req.method() != rocket::http::Method::Get || error::is_htmx(req) {
        return SignIn::Page(ErrorPage(Status::Unauthorized));
    }
    let here = req.uri().to_string();
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    let to = format!("/login?next={}", next.replace("%2F", "/"));
    SignIn::Redirect(Box::new(Redirect::to(to)))
}

#[rocket::catch(default)]
fn default_catcher(status: Status, _req: &Request<'_>) -> ErrorPage {
    ErrorPage(status)
}
