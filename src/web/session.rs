//! Who is asking: the visitor's session (if any) and CSRF token, as request guards.

use crate::domain::ids::UserId;
use crate::models::session::SessionRow;
use crate::services::sessions;
use crate::state::AppState;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::Duration;

pub const SESSION_COOKIE: &str = "ocp_session";
pub const CSRF_COOKIE: &str = "ocp_csrf";

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::days(sessions::LIFETIME_DAYS))
        .build()
}

fn secure(req: &Request<'_>) -> bool {
    req.rocket()
        .state::<AppState>()
        .is_some_and(|s| s.settings.secure_cookies)
}

/// The CSRF token of this browser, kept in an encrypted cookie; created on first sight.
pub struct Csrf(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let token = req.local_cache(|| {
            let jar = req.cookies();
            match jar.get_private(CSRF_COOKIE) {
                Some(c) => c.value().to_string(),
                None => {
                    let token = sessions::random_token();
                    jar.add_private(cookie(CSRF_COOKIE, token.clone(), secure(req)));
                    token
                }
            }
        });
        Outcome::Success(Csrf(token.clone()))
    }
}

impl Csrf {
    /// Replaces the browser's token, e.g. at login and logout.
    pub fn set(jar: &CookieJar<'_>, token: String, secure: bool) {
        jar.add_private(cookie(CSRF_COOKIE, token, secure));
    }
}

/// The visitor's session, if the browser has a live one.
pub struct Visitor {
    pub session: Option<SessionRow>,
}

impl Visitor {
    pub fn user(&self) -> Option<UserId> {
        self.session.as_ref().and_then(|s| s.user_id).map(UserId)
    }
}

/// Looks the session up, trying again when the database is momentarily busy. A failure is an
/// error, never "no session": a customer must not silently lose their cart or their login.
async fn lookup(state: &AppState, token: String) -> Result<Option<SessionRow>, String> {
    let mut last = String::new();
    for attempt in 0..3u64 {
        let t = token.clone();
        match state.db.run(move |c| sessions::resume(c, &t)).await {
            Ok(Ok(found)) => return Ok(found),
            Ok(Err(e)) if crate::db::is_retryable(&e) => last = e.to_string(),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20 * (attempt + 1))).await;
    }
    Err(last)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Visitor {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let found: &Result<Option<SessionRow>, String> = req
            .local_cache_async(async {
                let Some(token) = req
                    .cookies()
                    .get(SESSION_COOKIE)
                    .map(|c| c.value().to_string())
                else {
                    return Ok(None);
                };
                match req.rocket().state::<AppState>() {
                    Some(state) => lookup(state, token).await,
                    None => Err("application state missing".into()),
                }
            })
            .await;
        match found {
            Ok(session) => Outcome::Success(Visitor {
                session: session.clone(),
            }),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Outcome::Error((rocket::http::Status::ServiceUnavailable, e.clone()))
            }
        }
    }
}

pub fn set_session_cookie(jar: &CookieJar<'_>, token: String, secure: bool) {
    jar.add(cookie(SESSION_COOKIE, token, secure));
}

pub fn clear_session_cookie(jar: &CookieJar<'_>) {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
}
