//! What a page made for every visitor (the menu) shows of this one: the name in the header and
//! the size of the cart. A returning visitor's menu costs no session read: these few facts
//! travel in an encrypted cookie, `ocp_view`, bound to the browser's session token and kept
//! ten minutes (`docs/decisions/0011-menu-header-from-a-view-cookie.md`).
//!
//! The cookie is set on a page (a GET) that read the session anyway, and taken away by any
//! other request (a POST may change the cart, the name or the session; the `ViewCookie`
//! fairing), so that the next page reads the session again. Changes made elsewhere (another device signing
//! every device out) show on the menu's header within the cookie's ten minutes; every other
//! page reads the session.

use super::cookies::{SESSION_COOKIE, VIEW_COOKIE};
use super::guards::Visitor;
use crate::domain::cart::Cart;
use crate::domain::token::{SessionId, SessionToken};
use crate::models::session::SessionRow;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Cookie, CookieJar, Method, SameSite};
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::Response;

/// How long a view cookie is believed.
pub const VIEW_SECONDS: i64 = 600;

/// The visitor as the header shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glance {
    pub user_name: Option<String>,
    pub cart_count: u32,
}

impl Glance {
    pub fn of_session(session: Option<&SessionRow>) -> Glance {
        let Some(session) = session else {
            return Glance::default();
        };
        let data = session.data();
        Glance {
            user_name: session.user_id.and(data.user_name),
            cart_count: data.cart.as_ref().map_or(0, Cart::item_count),
        }
    }
}

/// The part of the session id a view cookie names: enough to tell sessions apart, not a way
/// to find one.
fn binding(token: &SessionToken) -> String {
    SessionId::of(token).as_str()[..16].to_string()
}

fn session_token(jar: &CookieJar<'_>) -> Option<SessionToken> {
    jar.get(SESSION_COOKIE)
        .and_then(|c| SessionToken::parse(c.value()).ok())
}

fn encode(glance: &Glance, token: &SessionToken, at: i64) -> String {
    let name = glance.user_name.as_deref().unwrap_or_default();
    let signed = u8::from(glance.user_name.is_some());
    format!(
        "{}\t{at}\t{}\t{signed}\t{name}",
        binding(token),
        glance.cart_count
    )
}

/// The glance a view cookie's value gives and when it was issued, if it names this session and
/// is recent.
fn decode(value: &str, token: &SessionToken, now: i64) -> Option<(Glance, i64)> {
    let mut fields = value.splitn(5, '\t');
    let bound = fields.next()?;
    let at: i64 = fields.next()?.parse().ok()?;
    let cart_count: u32 = fields.next()?.parse().ok()?;
    let signed = fields.next()?;
    let name = fields.next()?;
    let fresh = at <= now + 60 && now - at < VIEW_SECONDS;
    if bound != binding(token) || !fresh {
        return None;
    }
    let user_name = match signed {
        "1" => Some(name.to_string()),
        "0" => None,
        _ => return None,
    };
    let glance = Glance {
        user_name,
        cart_count,
    };
    Some((glance, at))
}

fn kept(jar: &CookieJar<'_>, token: &SessionToken, now: i64) -> Option<(Glance, i64)> {
    jar.get_private(VIEW_COOKIE)
        .and_then(|c| decode(c.value(), token, now))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The visitor's glance: a guest's without a session cookie, the view cookie's when it is
/// fresh and names the session, else read from the session (the fairing then sets the cookie).
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Glance {
    type Error = String;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let jar = req.cookies();
        let Some(token) = session_token(jar) else {
            return Outcome::Success(Glance::default());
        };
        if let Some((glance, _)) = kept(jar, &token, now()) {
            return Outcome::Success(glance);
        }
        let visitor = try_outcome!(req.guard::<Visitor>().await);
        Outcome::Success(Glance::of_session(visitor.session.as_ref()))
    }
}

/// After a read-only request read the session: the view cookie is set to what it showed (sent
/// again only when it changed, or is half its age). Called by the `Visitor` guard; a GET
/// changes no session, and a page that starts a new one (a new session cookie) leaves a view
/// naming the old one, which counts for nothing.
pub fn refresh(req: &Request<'_>, session: Option<&SessionRow>, secure: bool) {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return;
    }
    let jar = req.cookies();
    let Some(token) = session_token(jar) else {
        return;
    };
    let glance = Glance::of_session(session);
    let t = now();
    let recent =
        matches!(kept(jar, &token, t), Some((g, at)) if g == glance && t - at < VIEW_SECONDS / 2);
    if !recent {
        jar.add_private(
            Cookie::build((VIEW_COOKIE, encode(&glance, &token, t)))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(secure)
                .max_age(rocket::time::Duration::seconds(VIEW_SECONDS))
                .build(),
        );
    }
}

/// Takes the view cookie away after any request but a GET (a POST may change the cart, the
/// name, the session), whatever its answer, error pages included.
pub struct ViewCookie;

#[rocket::async_trait]
impl Fairing for ViewCookie {
    fn info(&self) -> Info {
        Info {
            name: "view cookie",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let read_only = matches!(req.method(), Method::Get | Method::Head);
        if read_only || req.cookies().get(VIEW_COOKIE).is_none() {
            return;
        }
        // Written on the response itself: the jar's changes are already in it, and an error
        // page (a catcher) would not carry them.
        let mut removal = Cookie::build((VIEW_COOKIE, "")).path("/").build();
        removal.make_removal();
        res.adjoin_header(removal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> SessionToken {
        crate::services::tokens::session_token()
    }

    #[test]
    fn a_view_names_its_session_and_lasts_ten_minutes() {
        let (t, other) = (token(), token());
        let g = Glance {
            user_name: Some("Jeanne\tD'Arc".into()),
            cart_count: 3,
        };
        let v = encode(&g, &t, 1_000);
        assert_eq!(decode(&v, &t, 1_000), Some((g.clone(), 1_000)));
        assert_eq!(decode(&v, &t, 1_000 + VIEW_SECONDS - 1), Some((g, 1_000)));
        assert_eq!(decode(&v, &t, 1_000 + VIEW_SECONDS), None);
        assert_eq!(decode(&v, &other, 1_000), None);
        assert_eq!(decode(&v, &t, 800), None, "issued in the future");
        let guest = encode(&Glance::default(), &t, 1_000);
        assert_eq!(decode(&guest, &t, 1_000), Some((Glance::default(), 1_000)));
        assert_eq!(decode("x\t1\t2", &t, 1_000), None);
    }
}
