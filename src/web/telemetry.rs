//! What an operator reads of the requests: a request id for each (taken from NGINX's
//! `X-Request-Id` when it is a plain token, otherwise made here), sent back in the
//! `X-Request-Id` header and shown on the 500 page; one log line per request with its method,
//! its route pattern (never the raw path, which may hold a token), status, duration and id; and
//! the request counts and latency histograms `/metrics` shows.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Data, Request, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The id of the request being served.
pub struct RequestId(pub String);

struct Started(Instant);

/// A usable id from the proxy: 8 to 64 letters, digits or dashes.
fn from_proxy(given: Option<&str>) -> Option<String> {
    given
        .filter(|id| (8..=64).contains(&id.len()))
        .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
}

/// This request's id (made on first use).
pub fn request_id<'r>(req: &'r Request<'_>) -> &'r str {
    &req.local_cache(|| {
        RequestId(
            from_proxy(req.headers().get_one("X-Request-Id"))
                .unwrap_or_else(|| format!("{:016x}", rand::random::<u64>())),
        )
    })
    .0
}

/// Upper bounds of the latency histogram, in seconds (Prometheus' unit).
pub const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The latency of one route and method: a count per bucket, then the sum and the count.
#[derive(Debug, Default, Clone)]
pub struct Histogram {
    pub buckets: [u64; BUCKETS.len()],
    pub sum: f64,
    pub count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// One route's figures: its pattern and method, its answers by status, its latency.
#[derive(Debug, Clone)]
pub struct RouteFigures {
    pub method: &'static str,
    pub route: String,
    pub statuses: Vec<(u16, u64)>,
    pub latency: Histogram,
}

/// This process's counters, read by `/metrics`. Routes are told apart by the address of
/// their `Route` (mounted once, alive as long as the server): counting a request allocates
/// nothing once its route has been seen.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<HashMap<usize, RouteFigures>>,
    pub orders_placed: AtomicU64,
    pub orders_refused_for_stock: AtomicU64,
}

impl Metrics {
    fn observe(&self, req: &Request<'_>, status: u16, seconds: f64) {
        let key = req.route().map_or(0, |r| std::ptr::from_ref(r) as usize);
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let figures = routes.entry(key).or_insert_with(|| RouteFigures {
            method: req.method().as_str(),
            route: route_of(req),
            statuses: Vec::new(),
            latency: Histogram::default(),
        });
        match figures.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => figures.statuses.push((status, 1)),
        }
        figures.latency.observe(seconds);
    }

    /// Every route's figures, by pattern then method.
    pub fn routes(&self) -> Vec<RouteFigures> {
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<RouteFigures> = routes.values().cloned().collect();
        all.sort_by(|a, b| (&a.route, a.method).cmp(&(&b.route, b.method)));
        for r in &mut all {
            r.statuses.sort_unstable();
        }
        all
    }

    pub fn placed(&self) {
        self.orders_placed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn refused_for_stock(&self) {
        self.orders_refused_for_stock
            .fetch_add(1, Ordering::Relaxed);
    }
}

/// The route pattern that served the request ("unmatched" when none did).
fn route_of(req: &Request<'_>) -> String {
    req.route()
        .map_or_else(|| "unmatched".to_string(), |r| r.uri.to_string())
}

/// The fairing: ids, log lines, counts.
pub struct Telemetry(pub std::sync::Arc<Metrics>);

#[rocket::async_trait]
impl Fairing for Telemetry {
    fn info(&self) -> Info {
        Info {
            name: "request ids, logs and metrics",
            kind: Kind::Liftoff | Kind::Request | Kind::Response,
        }
    }

    async fn on_liftoff(&self, rocket: &rocket::Rocket<rocket::Orbit>) {
        let c = rocket.config();
        tracing::info!("serving on http://{}:{}", c.address, c.port);
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
        request_id(req);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let id = request_id(req);
        res.set_header(Header::new("X-Request-Id", id.to_string()));
        let seconds = req
            .local_cache(|| Started(Instant::now()))
            .0
            .elapsed()
            .as_secs_f64();
        let status = res.status().code;
        self.0.observe(req, status, seconds);
        // The fields are only computed when the line is logged.
        tracing::info!(
            target: "ocpizza::request",
            method = req.method().as_str(),
            route = route_of(req),
            status,
            duration_ms = (seconds * 1000.0 * 10.0).round() / 10.0,
            request_id = id,
            "request"
        );
    }
}
