//! HTTP layer: routes (one file per resource), catchers and response headers.

mod account;
mod cart;
mod checkout;
pub mod form;
mod health;
mod orders;
mod pizzerias;
pub mod session;

use crate::error::error_page;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Status};
use rocket::{Catcher, Request, Response, Route};

pub fn routes() -> Vec<Route> {
    let mut all = pizzerias::routes();
    all.extend(health::routes());
    all.extend(cart::routes());
    all.extend(checkout::routes());
    all.extend(orders::routes());
    all.extend(account::routes());
    all
}

/// What every page's layout shows: the CSRF token for forms and htmx, who is logged in, the
/// cart's size. Built from the session already loaded: no extra query.
#[derive(serde::Serialize)]
pub struct Layout {
    pub csrf: String,
    pub user_name: Option<String>,
    pub cart_count: u32,
    pub cart_pizzeria: Option<i64>,
}

impl Layout {
    pub fn new(visitor: &session::Visitor, csrf: &session::Csrf) -> Layout {
        let data = visitor
            .session
            .as_ref()
            .map(|s| s.data())
            .unwrap_or_default();
        Layout {
            csrf: csrf.0.clone(),
            user_name: visitor.user().and(data.user_name),
            cart_count: data.cart.as_ref().map_or(0, |c| c.item_count()),
            cart_pizzeria: data.cart.map(|c| c.pizzeria.0),
        }
    }
}

/// Whether htmx sent the request (it then wants a fragment, not a page).
pub struct Htmx(pub bool);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Htmx {
    type Error = std::convert::Infallible;
    async fn from_request(req: &'r Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(Htmx(crate::error::is_htmx(req)))
    }
}

/// The answers a handler gives.
#[derive(rocket::Responder)]
pub enum Reply {
    Html(rocket_dyn_templates::Template),
    Redirect(rocket::response::Redirect),
    #[response(status = 409)]
    Conflict(rocket_dyn_templates::Template),
    #[response(status = 422)]
    Invalid(rocket_dyn_templates::Template),
    #[response(status = 429)]
    TooMany(rocket_dyn_templates::Template),
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![default_catcher]
}

struct ErrorPage(Status);

impl<'r> rocket::response::Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        error_page(req, self.0, message_for(self.0))
    }
}

#[rocket::catch(default)]
fn default_catcher(status: Status, _req: &Request<'_>) -> ErrorPage {
    ErrorPage(status)
}

fn message_for(status: Status) -> &'static str {
    match status.code {
        404 => "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou repartez de l'accueil.",
        400 | 422 => "La requête envoyée n'est pas valide.",
        403 => "Requête refusée : la page a expiré ou ne vient pas de ce site. Rechargez la page et réessayez.",
        415 => "Format d'envoi non pris en charge.",
        413 => "L'envoi est trop volumineux.",
        503 => "Le service est momentanément indisponible. Merci de réessayer dans un instant.",
        c if c >= 500 => "Une erreur inattendue est survenue. L'équipe a été prévenue.",
        _ => "La requête n'a pas pu aboutir.",
    }
}

/// Security headers on every response; long cache for versioned static files; no buffering
/// for server-sent events behind NGINX.
pub struct Headers;

#[rocket::async_trait]
impl Fairing for Headers {
    fn info(&self) -> Info {
        Info {
            name: "security and cache headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Referrer-Policy", "same-origin"));
        res.set_header(Header::new(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ));
        if res.content_type() == Some(ContentType::HTML) {
            res.set_header(Header::new("Vary", "HX-Request, Cookie"));
        }
        if req.uri().path().starts_with("/assets/") && res.status() == Status::Ok {
            res.set_header(Header::new(
                "Cache-Control",
                "public, max-age=31536000, immutable",
            ));
        } else if res.content_type() == Some(ContentType::EventStream) {
            res.set_header(Header::new("Cache-Control", "no-cache"));
            res.set_header(Header::new("X-Accel-Buffering", "no"));
        }
    }
}
