//! The cookies: the session token (plain, HttpOnly) and the CSRF token (encrypted), both
//! SameSite=Lax, so that a customer coming back from a payment page stays signed in, and
//! Secure behind HTTPS.

use crate::domain::token::{CsrfToken, SessionToken};
use crate::services::sessions::LIFETIME_DAYS;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::time::Duration;

pub const SESSION_COOKIE: &str = "ocp_session";
pub const CSRF_COOKIE: &str = "ocp_csrf";
/// Encrypted: what the header shows of the visitor, for pages shared by every visitor
/// (`web::glance`).
pub const VIEW_COOKIE: &str = "ocp_view";
/// Encrypted: the e-mail of the account this browser last signed in to, and a nonce naming the
/// browser. Its failures at that account's login are counted apart (domain::login).
pub const DEVICE_COOKIE: &str = "ocp_device";
const DEVICE_DAYS: i64 = 365;

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::days(LIFETIME_DAYS))
        .build()
}

pub fn set_session(jar: &CookieJar<'_>, token: &SessionToken, secure: bool) {
    jar.add(cookie(SESSION_COOKIE, token.to_string(), secure));
}

pub fn clear_session(jar: &CookieJar<'_>) {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
}

/// Sets (or replaces, at login and logout) the browser's CSRF token.
pub fn set_csrf(jar: &CookieJar<'_>, token: &CsrfToken, secure: bool) {
    jar.add_private(cookie(CSRF_COOKIE, token.to_string(), secure));
}

/// The browser's device cookie: (the e-mail it names, its nonce).
pub fn device(jar: &CookieJar<'_>) -> Option<(String, String)> {
    let cookie = jar.get_private(DEVICE_COOKIE)?;
    let (named, nonce) = cookie.value().split_once('\t')?;
    (!nonce.is_empty()).then(|| (named.to_string(), nonce.to_string()))
}

/// The browser's device nonce, if its device cookie names this e-mail.
pub fn device_for(jar: &CookieJar<'_>, email: &str) -> Option<String> {
    device(jar)
        .filter(|(named, _)| named == email)
        .map(|(_, nonce)| nonce)
}

pub fn set_device(jar: &CookieJar<'_>, email: &str, nonce: &str, secure: bool) {
    let mut c = cookie(DEVICE_COOKIE, format!("{email}\t{nonce}"), secure);
    c.set_max_age(Duration::days(DEVICE_DAYS));
    jar.add_private(c);
}

pub fn clear_device(jar: &CookieJar<'_>) {
    jar.remove_private(Cookie::build(DEVICE_COOKIE).path("/"));
}
