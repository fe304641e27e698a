//! One error type for handlers: a full French page on navigation, a toast fragment for htmx.
//! User mistakes are 4xx with a whole French sentence; only bugs and outages are 5xx, and they
//! keep their cause for the logs. Every service error becomes an `AppError` here, and only here.

use crate::db::DbUnavailable;
use crate::domain::text::with_causes;
use crate::services::accounts::AccountError;
use crate::services::cart::CartOpError;
use crate::services::orders::OrderError;
use crate::services::stock::StockError;
use crate::services::users::UserError;
use rocket::http::{Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket_dyn_templates::{context, Template};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooMany(String),
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    #[error("internal error")]
    Internal(#[source] BoxError),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn internal(e: impl Into<BoxError>) -> AppError {
        AppError::Internal(e.into())
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound(_) => Status::NotFound,
            AppError::Invalid(_) => Status::UnprocessableEntity,
            AppError::Conflict(_) => Status::Conflict,
            AppError::Forbidden(_) => Status::Forbidden,
            AppError::TooMany(_) => Status::TooManyRequests,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// What the person is told. Internal details stay in the logs.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(m)
            | AppError::Invalid(m)
            | AppError::Conflict(m)
            | AppError::Forbidden(m)
            | AppError::TooMany(m) => m.clone(),
            AppError::Unavailable(_) => message_for(Status::ServiceUnavailable).into(),
            AppError::Internal(_) => message_for(Status::InternalServerError).into(),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<DbUnavailable> for AppError {
    fn from(e: DbUnavailable) -> Self {
        AppError::Unavailable(e.into())
    }
}

impl From<OrderError> for AppError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Db(e) => e.into(),
            OrderError::NotFound => AppError::NotFound(
                "Cette commande est introuvable. Vérifiez le lien reçu par e-mail.".into(),
            ),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

impl From<crate::services::payments::PaymentError> for AppError {
    fn from(e: crate::services::payments::PaymentError) -> Self {
        use crate::services::payments::PaymentError;
        match e {
            PaymentError::Db(e) => e.into(),
            PaymentError::Order(e) => e.into(),
            PaymentError::NotFound => AppError::NotFound(
                "Cette commande est introuvable. Vérifiez le lien reçu par e-mail.".into(),
            ),
            PaymentError::NotOffered => AppError::Invalid(e.to_string()),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

impl From<crate::services::floor::FloorError> for AppError {
    fn from(e: crate::services::floor::FloorError) -> Self {
        use crate::services::floor::FloorError;
        match e {
            FloorError::Db(e) => e.into(),
            FloorError::NotFound => AppError::NotFound(e.to_string()),
            FloorError::Stale(m) => AppError::Conflict(m),
            FloorError::Invalid(m) => AppError::Invalid(m),
            FloorError::Order(e) => e.into(),
        }
    }
}

impl From<CartOpError> for AppError {
    fn from(e: CartOpError) -> Self {
        match e {
            CartOpError::Db(e) => e.into(),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

impl From<StockError> for AppError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Db(e) => e.into(),
            StockError::InvalidQuantity => AppError::Invalid(e.to_string()),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

impl From<UserError> for AppError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::Db(e) => e.into(),
            UserError::Hash(_) => AppError::internal(e),
            UserError::EmailTaken => AppError::Conflict(e.to_string()),
            UserError::UnknownPizzeria => AppError::NotFound(e.to_string()),
            other => AppError::Invalid(other.to_string()),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Db(e) => e.into(),
            AccountError::Unavailable(e) => e.into(),
            AccountError::Interrupted(e) => AppError::internal(e),
            AccountError::User(e) => e.into(),
            AccountError::Throttled(_) => AppError::TooMany(e.to_string()),
            AccountError::NoSuchAddress => AppError::NotFound(e.to_string()),
            AccountError::WrongCredentials => AppError::Invalid(e.to_string()),
            AccountError::LinkExpired => AppError::NotFound(e.to_string()),
            AccountError::WrongPassword => AppError::Invalid(e.to_string()),
            AccountError::OrderInProgress | AccountError::StaffAccount => {
                AppError::Conflict(e.to_string())
            }
        }
    }
}

pub fn is_htmx(req: &Request<'_>) -> bool {
    req.headers().get_one("HX-Request") == Some("true")
}

/// Renders a French error page (or a toast for htmx) with the given status.
pub fn error_page(req: &Request<'_>, status: Status, message: &str) -> response::Result<'static> {
    let (name, title) = if is_htmx(req) {
        ("_toast", "")
    } else {
        ("error", title_for(status))
    };
    // A customer can quote it; the log line and the error report carry the same.
    let request_id = (status.code >= 500).then(|| super::telemetry::request_id(req).to_string());
    let template = Template::render(
        name,
        context! { status: status.code, title, message, request_id },
    );
    let mut res = Response::build_from(template.respond_to(req)?);
    res.status(status)
        .header(Header::new("Vary", "HX-Request"))
        .header(Header::new("Cache-Control", "no-store"));
    if is_htmx(req) {
        // htmx shows the toast in the page's toast area, whatever the request's target.
        res.header(Header::new("HX-Retarget", "#toasts"))
            .header(Header::new("HX-Reswap", "beforeend"));
    }
    res.ok()
}

fn title_for(status: Status) -> &'static str {
    match status.code {
        400 => "Requête invalide",
        401 => "Connexion nécessaire",
        403 => "Accès refusé",
        404 => "Page introuvable",
        409 => "Action impossible",
        413 => "Envoi trop volumineux",
        422 => "Données invalides",
        429 => "Trop de tentatives",
        503 => "Service indisponible",
        c if c >= 500 => "Erreur du serveur",
        _ => "Erreur",
    }
}

/// The sentence shown for a status when nothing more precise is known.
pub fn message_for(status: Status) -> &'static str {
    match status.code {
        404 => "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou repartez de l'accueil.",
        400 | 422 => "La requête envoyée n'est pas valide.",
        401 => "Connectez-vous pour continuer.",
        403 => "Requête refusée : la page a expiré ou ne vient pas de ce site. Rechargez la page et réessayez.",
        415 => "Format d'envoi non pris en charge.",
        413 => "L'envoi est trop volumineux.",
        429 => "Trop de tentatives : réessayez dans quelques minutes.",
        503 => "Le service est momentanément indisponible. Merci de réessayer dans un instant.",
        c if c >= 500 => "Une erreur inattendue est survenue. L'équipe a été prévenue.",
        _ => "La requête n'a pas pu aboutir.",
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let route = req.route().map_or_else(String::new, |r| r.uri.to_string());
        let request_id = super::telemetry::request_id(req);
        match &self {
            AppError::Internal(_) => {
                let error = with_causes(&self);
                tracing::error!(error, route, request_id, "request failed");
                crate::notify::report::request_failed(&error, &route, request_id);
            }
            AppError::Unavailable(_) => {
                let error = with_causes(&self);
                tracing::warn!(error, route, request_id, "service unavailable");
                crate::notify::report::request_failed(&error, &route, request_id);
            }
            _ => {}
        }
        error_page(req, self.status(), &self.public_message())
    }
}

impl From<crate::services::team::TeamError> for AppError {
    fn from(e: crate::services::team::TeamError) -> Self {
        use crate::services::team::TeamError;
        match e {
            TeamError::Db(e) => e.into(),
            TeamError::NotInTeam => AppError::NotFound(e.to_string()),
            TeamError::NotStaff => AppError::Invalid(e.to_string()),
            TeamError::EmailTaken => AppError::Invalid(e.to_string()),
            TeamError::Yourself => AppError::Conflict(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause_for_the_logs_not_for_the_page() {
        let e = AppError::from(diesel::result::Error::NotFound);
        assert_eq!(e.status(), Status::InternalServerError);
        assert!(
            with_causes(&e).contains("Record not found"),
            "{}",
            with_causes(&e)
        );
        assert!(!e.public_message().contains("Record"));
    }
}
