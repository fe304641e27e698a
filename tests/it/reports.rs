//! Error reports, sent for real to a local HTTP server that stands in for Sentry's ingest API
//! (`POST /api/<project>/envelope/`): a handler's server error arrives with its route, its
//! request id and the release, a panic with its message; neither carries an e-mail address, a
//! token, a card number or a cookie.

use crate::customer::Customer;
use crate::harness::{TestApp, TestDb};
use rocket::data::{Data, ToByteUnit};
use rocket::{get, post, routes, State};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Received = Arc<Mutex<Vec<String>>>;

#[post("/api/<_project>/envelope/<_..>", data = "<body>")]
async fn envelope(_project: &str, body: Data<'_>, got: &State<Received>) -> &'static str {
    let bytes = body
        .open(4.mebibytes())
        .into_bytes()
        .await
        .unwrap()
        .into_inner();
    got.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&bytes).into_owned());
    "{}"
}

/// Sentry's ingest, on a free local port.
async fn stand_in() -> (u16, Received, rocket::Shutdown) {
    let got: Received = Arc::default();
    let config = rocket::Config {
        port: 0,
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let server = rocket::custom(config)
        .manage(got.clone())
        .mount("/", routes![envelope])
        .attach(rocket::fairing::AdHoc::on_liftoff("port", move |r| {
            let port = r.config().port;
            Box::pin(async move {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(port);
                }
            })
        }))
        .ignite()
        .await
        .unwrap();
    let shutdown = server.shutdown();
    tokio::spawn(server.launch());
    (rx.await.unwrap(), got, shutdown)
}

#[get("/boom")]
fn boom() -> Result<&'static str, ocpizza::web::error::AppError> {
    Err(ocpizza::web::error::AppError::internal(
        "lookup failed for lea@example.fr with 5L97RXdVRb3py0XJN8PuASWIBmhnkHotAzHuLffhdQ",
    ))
}

#[get("/panic")]
fn panics() -> &'static str {
    panic!("card 4242424242424242 refused")
}

async fn wait_for(got: &Received, what: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(e) = got.lock().unwrap().iter().find(|e| e.contains(what)) {
            return e.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no report with {what}: {:?}",
            got.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn server_errors_and_panics_reach_sentry_scrubbed() {
    let (port, got, stop) = stand_in().await;
    let db = TestDb::sqlite();
    let dsn = format!("http://public@127.0.0.1:{port}/42");
    let settings = ocpizza::config::Settings {
        sentry_dsn: dsn.clone(),
        ..Default::default()
    };
    let guard = ocpizza::notify::report::init(&settings).expect("reporting on with a DSN");
    let app = TestApp::serve_configured(db, true, &[("sentry_dsn", serde_json::json!(dsn))], |r| {
        r.mount("/test", routes![boom, panics])
    })
    .await;
    let mut browser = Customer::new(&app).await;
    browser.get("/pizzerias/1").await;
    let res = browser
        .http
        .get(app.url("/test/boom"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let report = wait_for(&got, "lookup failed").await;
    assert!(report.contains("\"route\":\"/test/boom\""), "{report}");
    assert!(
        report.contains(&format!("\"request_id\":\"{id}\"")),
        "{report}"
    );
    assert!(
        report.contains(&format!("ocpizza@{}", env!("CARGO_PKG_VERSION"))),
        "the release: {report}"
    );
    assert!(
        report.contains("[e-mail]") && report.contains("[jeton]"),
        "{report}"
    );

    let res = browser
        .http
        .get(app.url("/test/panic"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let panic = wait_for(&got, "refused").await;
    assert!(panic.contains("card [carte] refused"), "{panic}");

    let all = got.lock().unwrap().join("\n");
    for secret in [
        "lea@example.fr",
        "5L97RXdVRb3py0XJN8PuASWIBmhnkHotAzHuLffhdQ",
        "4242424242424242",
        "ocpizza_session",
    ] {
        assert!(!all.contains(secret), "{secret} reported: {all}");
    }
    drop(guard);
    stop.notify();
}
