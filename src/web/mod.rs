//! HTTP layer, grouped by audience: `shop` (customers), `staff` (`/staff/<pizzeria_id>/…`),
//! `admin` (`/admin`). Handlers parse their input into domain values, call one service (or a
//! named read of the models), and answer with a template or a redirect. They never write to the
//! database themselves.

mod admin;
mod cookies;
mod dashboard;
pub mod error;
mod fields;
pub mod form;
mod format;
pub mod glance;
pub mod guards;
mod headers;
mod health;
mod layout;
mod metrics;
mod params;
mod promise;
mod shop;
mod staff;
mod stream;
pub mod telemetry;
mod upload;
mod webhooks;

pub use headers::Headers;

use error::{error_page, message_for};
use guards::Refusal;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Catcher, Request, Route};

pub fn routes() -> Vec<Route> {
    let mut all = shop::routes();
    all.extend(health::routes());
    all.extend(metrics::routes());
    all.extend(webhooks::routes());
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

/// A guest asking for a signed-in page is sent to the login page, and back after it: to the
/// page asked for, or for a form, to the page the form was on.
#[rocket::catch(401)]
fn sign_in_first(req: &Request<'_>) -> SignIn {
    if error::is_htmx(req) {
        return SignIn::Page(ErrorPage(Status::Unauthorized));
    }
    let back = if req.method() == rocket::http::Method::Get {
        Some(req.uri().to_string())
    } else {
        referring_path(req)
    };
    let to = match back {
        Some(path) => {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("/login?next={}", next.replace("%2F", "/"))
        }
        None => "/login".to_string(),
    };
    SignIn::Redirect(Box::new(Redirect::to(to)))
}

/// The path of the page of this site a form was posted from.
fn referring_path(req: &Request<'_>) -> Option<String> {
    let referer = url::Url::parse(req.headers().get_one("Referer")?).ok()?;
    let host = req.headers().get_one("Host")?;
    let port = referer.port().map(|p| format!(":{p}")).unwrap_or_default();
    let same_site = format!("{}{port}", referer.host_str()?) == host;
    same_site.then(|| referer.path().to_string())
}

#[rocket::catch(default)]
fn default_catcher(status: Status, _req: &Request<'_>) -> ErrorPage {
    ErrorPage(status)
}
