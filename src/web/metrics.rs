//! `/metrics` in Prometheus' text format: this process's requests (count by route pattern,
//! method and status; latency histograms), orders placed and refused for stock, open live
//! streams and the database pool; the database's orders of the day by status and the e-mail
//! outbox (by status, oldest pending). Served to loopback callers that did not come through
//! the proxy, or to whoever shows `Authorization: Bearer <OCPIZZA_METRICS_TOKEN>`.

use super::telemetry::{Metrics, BUCKETS};
use crate::models::{census, now, outbox};
use crate::state::AppState;
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{get, routes, Route, State};
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn routes() -> Vec<Route> {
    routes![show_metrics]
}

/// Who may read the metrics.
pub struct Scraper;

fn bearer_matches(req: &Request<'_>, token: &str) -> bool {
    !token.is_empty()
        && req
            .headers()
            .get_one("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|given| {
                given.len() == token.len()
                    && given
                        .bytes()
                        .zip(token.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Scraper {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let token = req
            .rocket()
            .state::<AppState>()
            .map(|s| s.settings.metrics_token.clone())
            .unwrap_or_default();
        // NGINX adds these: a request that has them came from outside, through the proxy.
        let proxied = ["X-Real-IP", "X-Forwarded-For"]
            .iter()
            .any(|h| req.headers().contains(*h));
        let loopback = req.remote().is_some_and(|a| a.ip().is_loopback());
        if bearer_matches(req, &token) || (loopback && !proxied) {
            Outcome::Success(Scraper)
        } else {
            Outcome::Error((Status::Forbidden, ()))
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"")
}

fn requests(out: &mut String, m: &Metrics) {
    let routes = m.routes();
    family(
        out,
        "ocpizza_http_requests_total",
        "counter",
        "Requests served, by route pattern, method and status.",
    );
    for r in &routes {
        for (status, n) in &r.statuses {
            let _ = writeln!(
                out,
                "ocpizza_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                r.method,
                escape(&r.route)
            );
        }
    }
    family(
        out,
        "ocpizza_http_request_duration_seconds",
        "histogram",
        "Time to answer, by route pattern and method.",
    );
    for r in &routes {
        let (labels, h) = (
            format!("method=\"{}\",route=\"{}\"", r.method, escape(&r.route)),
            &r.latency,
        );
        for (bound, n) in BUCKETS.iter().zip(h.buckets) {
            let _ = writeln!(
                out,
                "ocpizza_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "ocpizza_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "ocpizza_http_request_duration_seconds_sum{{{labels}}} {}",
            h.sum
        );
        let _ = writeln!(
            out,
            "ocpizza_http_request_duration_seconds_count{{{labels}}} {}",
            h.count
        );
    }
}

fn checkouts(out: &mut String, m: &Metrics) {
    family(
        out,
        "ocpizza_orders_placed_total",
        "counter",
        "Orders placed at checkout by this process.",
    );
    let _ = writeln!(
        out,
        "ocpizza_orders_placed_total {}",
        m.orders_placed.load(Ordering::Relaxed)
    );
    family(
        out,
        "ocpizza_orders_refused_for_stock_total",
        "counter",
        "Checkouts refused because the stock could not make the cart.",
    );
    let _ = writeln!(
        out,
        "ocpizza_orders_refused_for_stock_total {}",
        m.orders_refused_for_stock.load(Ordering::Relaxed)
    );
}

type Figures = (
    Vec<(crate::domain::order::OrderStatus, i64)>,
    Vec<(String, i64)>,
    Option<chrono::NaiveDateTime>,
);

fn database(out: &mut String, (orders, emails, oldest): Figures) {
    family(
        out,
        "ocpizza_orders_today",
        "gauge",
        "Orders of today's service, by status (every process).",
    );
    for (status, n) in orders {
        let _ = writeln!(
            out,
            "ocpizza_orders_today{{status=\"{}\"}} {n}",
            status.as_str()
        );
    }
    family(
        out,
        "ocpizza_emails",
        "gauge",
        "E-mails of the outbox by status: pending (the backlog), sent, failed.",
    );
    for status in ["pending", "sent", "failed"] {
        let n = emails
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "ocpizza_emails{{status=\"{status}\"}} {n}");
    }
    family(
        out,
        "ocpizza_outbox_oldest_pending_seconds",
        "gauge",
        "Age of the oldest e-mail still to send (0: none).",
    );
    let age = oldest.map_or(0, |t| (now() - t).num_seconds().max(0));
    let _ = writeln!(out, "ocpizza_outbox_oldest_pending_seconds {age}");
}

#[get("/metrics")]
async fn show_metrics(
    _scraper: Scraper,
    state: &State<AppState>,
    metrics: &State<Arc<Metrics>>,
) -> Result<(ContentType, String), Status> {
    let figures = state
        .db
        .run(|c| {
            let (today, _) = crate::services::dashboard::days(now());
            Ok::<_, diesel::result::Error>((
                census::orders_by_status(c, today)?,
                outbox::by_status(c)?,
                outbox::backlog(c)?.1,
            ))
        })
        .await
        .map_err(|_| Status::ServiceUnavailable)?
        .map_err(|_| Status::ServiceUnavailable)?;
    let mut out = String::new();
    requests(&mut out, metrics);
    checkouts(&mut out, metrics);
    database(&mut out, figures);
    family(
        &mut out,
        "ocpizza_live_subscribers",
        "gauge",
        "Open live streams of this process (and its own workers listening).",
    );
    let _ = writeln!(out, "ocpizza_live_subscribers {}", state.hub.subscribers());
    let pool = state.db.pool().state();
    family(
        &mut out,
        "ocpizza_db_pool_connections",
        "gauge",
        "Database pool connections: open and idle, and the pool's size.",
    );
    let _ = writeln!(
        out,
        "ocpizza_db_pool_connections{{state=\"open\"}} {}",
        pool.connections
    );
    let _ = writeln!(
        out,
        "ocpizza_db_pool_connections{{state=\"idle\"}} {}",
        pool.idle_connections
    );
    let _ = writeln!(
        out,
        "ocpizza_db_pool_connections{{state=\"max\"}} {}",
        state.settings.db_pool_size
    );
    let text =
        ContentType::new("text", "plain").with_params([("version", "0.0.4"), ("charset", "utf-8")]);
    Ok((text, out))
}
