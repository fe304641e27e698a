//! Liveness and readiness probes for Supervisor, NGINX and monitoring.

use crate::db;
use crate::state::AppState;
use rocket::http::Status;
use rocket::serde::json::{json, Value};
use rocket::{get, routes, Route, State};

pub fn routes() -> Vec<Route> {
    routes![check_liveness, check_readiness]
}

/// The process is up and serving.
#[get("/healthz")]
fn check_liveness() -> &'static str {
    "ok"
}

/// The e-mail outbox counts as stuck when its oldest pending message is older than this.
const OUTBOX_STUCK_S: i64 = 15 * 60;

/// The database answers, every migration is applied, and the e-mail outbox moves (its oldest
/// pending message is younger than a quarter of an hour). 503 says which check failed.
#[get("/readyz")]
async fn check_readiness(state: &State<AppState>) -> (Status, Value) {
    let checked = state
        .db
        .run(|c| {
            let pending = db::check_ready(c)?;
            let oldest = crate::models::outbox::backlog(c)?;
            Ok::<_, diesel::result::Error>((pending, oldest))
        })
        .await;
    let Ok(Ok((pending, (waiting, oldest)))) = checked else {
        return (
            Status::ServiceUnavailable,
            json!({ "status": "not ready", "database": "unreachable" }),
        );
    };
    let age = oldest.map_or(0, |t| (crate::models::now() - t).num_seconds().max(0));
    let stuck = age > OUTBOX_STUCK_S;
    let outbox = json!({ "pending": waiting, "oldest_pending_s": age, "state": if stuck { "stuck" } else { "ok" } });
    let migrations = if pending { "pending" } else { "ok" };
    let ready = !pending && !stuck;
    let status = if ready { "ready" } else { "not ready" };
    let code = if ready {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    };
    (
        code,
        json!({ "status": status, "database": "ok", "migrations": migrations, "outbox": outbox }),
    )
}
