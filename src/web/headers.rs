//! Security headers on every response, long cache for versioned static files, no buffering for
//! server-sent events behind NGINX, a page's body written in one go.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Response};

/// Security headers on every response; long cache for versioned static files; no buffering
/// for server-sent events behind NGINX.
pub struct Headers {
    csp: String,
}

impl Headers {
    /// Forms post to this site only, and the checkout form may lead (by a redirect) to the
    /// hosted payment pages of the providers offered.
    pub fn new(payments: &crate::config::PaymentSettings) -> Headers {
        let mut form_action = String::from("'self'");
        let offered = [
            (
                payments.stripe.configured(),
                &payments.stripe.checkout_origin,
            ),
            (
                payments.paypal.configured(),
                &payments.paypal.checkout_origin,
            ),
            (
                payments.gocardless.configured(),
                &payments.gocardless.checkout_origin,
            ),
        ];
        for (_, origin) in offered.iter().filter(|(on, _)| *on) {
            form_action.push(' ');
            form_action.push_str(origin);
        }
        Headers {
            csp: format!(
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action {form_action}"
            ),
        }
    }
}

/// The first path segments of pages with personal data: never kept by a cache.
const PRIVATE: [&str; 7] = [
    "staff", "admin", "account", "orders", "checkout", "cart", "login",
];

/// The largest page handed to the connection in one piece.
const MAX_PIECE: usize = 512 * 1024;

/// A page (HTML of known size, in memory already) goes to the connection in one piece rather
/// than in Rocket's 4 KiB chunks, each a wake-up and a write of its own. Rocket copies it into
/// one buffer of that size for the while it is sent. Files keep their chunks (a slow phone
/// fetching photos holds 4 KiB, not a whole photo), and so do streams (SSE, unsized).
async fn whole_body(res: &mut Response<'_>) {
    if res.content_type() != Some(ContentType::HTML) {
        return;
    }
    if let Some(size) = res.body_mut().size().await {
        // One byte more: the read that finds the end needs no second buffer.
        let piece = (size + 1).clamp(rocket::response::Body::DEFAULT_MAX_CHUNK, MAX_PIECE);
        res.set_max_chunk_size(piece);
    }
}

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
        res.set_header(Header::new("Content-Security-Policy", self.csp.clone()));
        whole_body(res).await;
        if res.content_type() == Some(ContentType::HTML) {
            // A page may say what else it varies on (the menu: Accept-Encoding).
            let vary = match res.headers().get_one("Vary") {
                Some(own) => format!("HX-Request, Cookie, {own}"),
                None => "HX-Request, Cookie".into(),
            };
            res.set_header(Header::new("Vary", vary));
        }
        let path = req.uri().path();
        let first = path.segments().get(0).unwrap_or_default();
        // Any page for a browser with a session may show its name or cart: kept by no cache,
        // not even the back button's after a logout.
        let signed = req.cookies().get(super::cookies::SESSION_COOKIE).is_some()
            && res.content_type() == Some(ContentType::HTML);
        let private = PRIVATE.contains(&first) || signed;
        if first == "logout" && req.method() == rocket::http::Method::Post {
            res.set_header(Header::new("Clear-Site-Data", "\"cache\""));
        }
        // Versioned static files, and uploads named after their content: never changed.
        let immutable = path.starts_with("/assets/") || path.starts_with("/media/");
        if immutable && res.status() == Status::Ok {
            res.set_header(Header::new(
                "Cache-Control",
                "public, max-age=31536000, immutable",
            ));
        } else if res.content_type() == Some(ContentType::EventStream) {
            res.set_header(Header::new("Cache-Control", "no-cache"));
            res.set_header(Header::new("X-Accel-Buffering", "no"));
        } else if private {
            if first == "orders" {
                // Tracking links are capabilities: never in a search engine.
                res.set_header(Header::new("X-Robots-Tag", "noindex, nofollow"));
            }
            // Staff screens, accounts, carts and orders are never kept by a shared or
            // back-button cache.
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}

/// The entity tags a browser says it holds (`If-None-Match`).
pub struct IfNoneMatch(Option<String>);

impl IfNoneMatch {
    /// Whether the browser holds the copy tagged `etag` (a strong tag, compared as such).
    pub fn matches(&self, etag: &str) -> bool {
        self.0
            .as_deref()
            .is_some_and(|held| held.trim() == "*" || held.split(',').any(|t| t.trim() == etag))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let held = req.headers().get_one("If-None-Match").map(str::to_owned);
        Outcome::Success(IfNoneMatch(held))
    }
}

/// Whether the browser takes gzip (`Accept-Encoding`, RFC 9110 §12.5.3: `gzip` or `*` with a
/// weight above 0; `gzip;q=0` refuses it whatever `*` says).
pub struct AcceptsGzip(pub bool);

pub fn accepts_gzip(header: &str) -> bool {
    let mut any = false;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let weight = parts
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim().eq_ignore_ascii_case("q").then(|| value.trim())
            })
            .next()
            .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            return weight > 0.0;
        }
        if coding == "*" {
            any = weight > 0.0;
        }
    }
    any
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AcceptsGzip {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let header = req.headers().get_one("Accept-Encoding").unwrap_or_default();
        Outcome::Success(AcceptsGzip(accepts_gzip(header)))
    }
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

    #[test]
    fn gzip_is_sent_only_to_a_browser_that_takes_it() {
        for taken in [
            "gzip",
            "gzip, deflate, br, zstd",
            "br;q=1.0, GZIP;q=0.5",
            "*",
            "deflate, *;q=0.1",
        ] {
            assert!(accepts_gzip(taken), "{taken}");
        }
        for refused in [
            "",
            "identity",
            "br",
            "gzip;q=0",
            "*, gzip;q=0",
            "gzip; q=0.000",
            "deflate, *;q=0",
        ] {
            assert!(!accepts_gzip(refused), "{refused}");
        }
    }
}
