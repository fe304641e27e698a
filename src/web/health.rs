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

/// The database answers and every migration is applied.
#[get("/readyz")]
async fn check_readiness(state: &State<AppState>) -> (Status, Value) {
    match state.db.run(db::check_ready).await {
        Ok(Ok(false)) => (
            Status::Ok,
            json!({ "status": "ready", "database": "ok", "migrations": "ok" }),
        ),
        Ok(Ok(true)) => (
            Status::ServiceUnavailable,
            json!({ "status": "not ready", "database": "ok", "migrations": "pending" }),
        ),
        _ => (
            Status::ServiceUnavailable,
            json!({ "status": "not ready", "database": "unreachable" }),
        ),
    }
}
