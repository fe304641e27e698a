//! Who is asking, as request guards, each refusing with a French page (or toast):
//! `Visitor` (the session, if any) and `Csrf`; `Customer` (signed in); `PizzeriaStaff` (a member
//! of the pizzeria named by the first path segment after `/staff`, or a group admin), then the
//! role guards `Pizzaiolo`, `Driver`, `Counter`, `Manager`; and `GroupAdmin`. The session and the
//! account are read once per request and cached, so a stack of guards costs one query each.

use super::cookies;
use super::glance;
use crate::domain::ids::{PizzeriaId, UserId};
use crate::domain::staff::{Access, StaffRole};
use crate::domain::token::{CsrfToken, SessionToken};
use crate::models::session::SessionRow;
use crate::models::staff::{self, StaffAccount};
use crate::services::{sessions, tokens};
use crate::state::AppState;
use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};

/// Why a guard refused, for the error page (the catcher reads it).
#[derive(Debug, Default)]
pub struct Refusal(pub Option<&'static str>);

fn refuse<T>(req: &Request<'_>, status: Status, why: &'static str) -> Outcome<T, String> {
    req.local_cache(|| Refusal(Some(why)));
    Outcome::Error((status, why.to_string()))
}

fn state<'r>(req: &'r Request<'_>) -> Result<&'r AppState, String> {
    req.rocket()
        .state::<AppState>()
        .ok_or_else(|| "application state missing".to_string())
}

/// The CSRF token of this browser, kept in an encrypted cookie; created on first sight.
pub struct Csrf(pub CsrfToken);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let token = req.local_cache(|| {
            let jar = req.cookies();
            let kept = jar
                .get_private(cookies::CSRF_COOKIE)
                .and_then(|c| CsrfToken::parse(c.value()).ok());
            kept.unwrap_or_else(|| {
                let fresh = tokens::csrf_token();
                let secure = state(req).is_ok_and(|s| s.settings.secure_cookies);
                cookies::set_csrf(jar, &fresh, secure);
                fresh
            })
        });
        Outcome::Success(Csrf(token.clone()))
    }
}

/// The visitor's session, if the browser has a live one.
pub struct Visitor {
    pub session: Option<SessionRow>,
}

impl Visitor {
    pub fn user(&self) -> Option<UserId> {
        self.session.as_ref().and_then(|s| s.user_id)
    }
}

/// Looks the session up (the service tries again when the database is momentarily busy). A
/// failure is an error, never "no session".
async fn lookup(state: &AppState, token: SessionToken) -> Result<Option<SessionRow>, String> {
    match state
        .db
        .run(move |c| sessions::resume_patiently(c, &token))
        .await
    {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Staff and admin pages always want the account after the session.
fn is_staff_path(req: &Request<'_>) -> bool {
    matches!(req.uri().path().segments().get(0), Some("staff" | "admin"))
}

/// The session and, for a signed-in person, their staff account, in one trip to the
/// database; the account is kept for the staff guards (`account`).
async fn lookup_staff(
    req: &Request<'_>,
    token: SessionToken,
) -> Result<Option<SessionRow>, String> {
    type Both = (Option<SessionRow>, Option<StaffAccount>);
    let read = state(req)?
        .db
        .run(move |c| -> Result<Both, diesel::result::Error> {
            let session = sessions::resume_patiently(c, &token)?;
            let account = match session.as_ref().and_then(|s| s.user_id) {
                Some(user) => staff::account(c, user)?,
                None => None,
            };
            Ok((session, account))
        });
    match read.await {
        Ok(Ok((session, account))) => {
            req.local_cache(|| -> Result<Option<StaffAccount>, String> { Ok(account) });
            Ok(session)
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Visitor {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let found: &Result<Option<SessionRow>, String> = req
            .local_cache_async(async {
                let token = req
                    .cookies()
                    .get(cookies::SESSION_COOKIE)
                    .and_then(|c| SessionToken::parse(c.value()).ok());
                let found = match token {
                    None => return Ok(None),
                    Some(token) if is_staff_path(req) => lookup_staff(req, token).await,
                    Some(token) => lookup(state(req)?, token).await,
                };
                if let Ok(session) = &found {
                    let secure = state(req).is_ok_and(|s| s.settings.secure_cookies);
                    glance::refresh(req, session.as_ref(), secure);
                }
                found
            })
            .await;
        match found {
            Ok(session) => Outcome::Success(Visitor {
                session: session.clone(),
            }),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Outcome::Error((Status::ServiceUnavailable, e.clone()))
            }
        }
    }
}

/// A signed-in person (a customer's pages); a guest is sent to the login page (401 catcher).
pub struct Customer {
    pub user: UserId,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Customer {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let visitor = try_outcome!(req.guard::<Visitor>().await);
        match visitor.user() {
            Some(user) => Outcome::Success(Customer { user }),
            None => refuse(req, Status::Unauthorized, "Connectez-vous pour continuer."),
        }
    }
}

/// The signed-in account with its staff membership, read once per request.
async fn account<'r>(req: &'r Request<'_>) -> Outcome<&'r StaffAccount, String> {
    let visitor = try_outcome!(req.guard::<Visitor>().await);
    let Some(user) = visitor.user() else {
        return refuse(req, Status::Unauthorized, "Connectez-vous pour continuer.");
    };
    let found: &Result<Option<StaffAccount>, String> = req
        .local_cache_async(async {
            let db = &state(req)?.db;
            match db.run(move |c| staff::account(c, user)).await {
                Ok(Ok(found)) => Ok(found),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
    match found {
        Ok(Some(account)) => Outcome::Success(account),
        // A deactivated account is signed out everywhere.
        Ok(None) => refuse(req, Status::Unauthorized, "Connectez-vous pour continuer."),
        Err(e) => {
            tracing::error!(error = %e, "account lookup failed");
            Outcome::Error((Status::ServiceUnavailable, e.clone()))
        }
    }
}

/// The pizzeria a staff page is about: the first path segment after `/staff`, never a query
/// parameter or a form field.
pub fn staff_pizzeria(req: &Request<'_>) -> Option<PizzeriaId> {
    let segments = req.uri().path().segments();
    if segments.get(0) != Some("staff") {
        return None;
    }
    PizzeriaId::parse(segments.get(1)?).ok()
}

/// A member of this pizzeria's team (any role), or a group admin.
#[derive(Debug, Clone)]
pub struct PizzeriaStaff {
    pub pizzeria: PizzeriaId,
    pub user: UserId,
    pub name: String,
    pub access: Access,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PizzeriaStaff {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(pizzeria) = staff_pizzeria(req) else {
            return refuse(req, Status::NotFound, "Cette pizzeria n'existe pas.");
        };
        let account = try_outcome!(account(req).await);
        match account.access_at(pizzeria) {
            Some(access) => Outcome::Success(PizzeriaStaff {
                pizzeria,
                user: account.user,
                name: account.full_name.clone(),
                access,
            }),
            None => refuse(
                req,
                Status::Forbidden,
                "Cette page est réservée à l'équipe de cette pizzeria.",
            ),
        }
    }
}

/// Role guards: the pizzeria's staff of one role, its manager, or a group admin.
macro_rules! role_guard {
    ($($name:ident => $role:expr),* $(,)?) => {$(
        #[derive(Debug, Clone)]
        pub struct $name(pub PizzeriaStaff);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = String;

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
                let staff = try_outcome!(req.guard::<PizzeriaStaff>().await);
                if staff.access.covers($role) {
                    Outcome::Success($name(staff))
                } else {
                    refuse(req, Status::Forbidden, $role.reserved_to())
                }
            }
        }
    )*};
}

role_guard!(
    Pizzaiolo => StaffRole::Pizzaiolo,
    Driver => StaffRole::Driver,
    Counter => StaffRole::Counter,
    Manager => StaffRole::Manager,
);

/// The group's direction: every pizzeria.
#[derive(Debug, Clone)]
pub struct GroupAdmin {
    pub user: UserId,
    pub name: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for GroupAdmin {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let account = try_outcome!(account(req).await);
        if account.is_admin {
            Outcome::Success(GroupAdmin {
                user: account.user,
                name: account.full_name.clone(),
            })
        } else {
            refuse(
                req,
                Status::Forbidden,
                "Cette page est réservée à la direction du groupe.",
            )
        }
    }
}

/// Whether htmx sent the request (it then wants a fragment, not a page).
pub struct Htmx(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Htmx {
    type Error = std::convert::Infallible;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Htmx(super::error::is_htmx(req)))
    }
}
