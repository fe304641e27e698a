//! One error type for handlers: a full French page on navigation, a toast fragment for htmx.
//! User mistakes are 4xx with a message; only bugs and outages are 5xx.

use rocket::http::{Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket_dyn_templates::{context, Template};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound(_) => Status::NotFound,
            AppError::Invalid(_) => Status::UnprocessableEntity,
            AppError::Conflict(_) => Status::Conflict,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// What the person is told. Internal details stay in the logs.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(m) | AppError::Invalid(m) | AppError::Conflict(m) => m.clone(),
            AppError::Unavailable(_) => {
                "Le service est momentanément indisponible. Merci de réessayer dans un instant."
                    .into()
            }
            AppError::Internal(_) => {
                "Une erreur inattendue est survenue. L'équipe a été prévenue.".into()
            }
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database pool: {e}"))
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
    let template = Template::render(name, context! { status: status.code, title, message });
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
        403 => "Accès refusé",
        404 => "Page introuvable",
        409 => "Action impossible",
        413 => "Envoi trop volumineux",
        422 => "Données invalides",
        503 => "Service indisponible",
        c if c >= 500 => "Erreur du serveur",
        _ => "Erreur",
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, uri = %req.uri(), "request failed")
            }
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, uri = %req.uri(), "service unavailable")
            }
            _ => {}
        }
        error_page(req, self.status(), &self.public_message())
    }
}

pub type AppResult<T> = Result<T, AppError>;
