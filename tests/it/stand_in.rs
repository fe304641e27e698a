//! What the providers' stand-ins share: a Rocket server of their routes on a free loopback
//! port, stopped when dropped, and a guard that hands them every request header.

use rocket::request::{FromRequest, Outcome, Request};
use rocket::Route;
use std::collections::HashMap;
use std::time::Duration;

/// Every header of a request, names in lower case.
pub struct Headers(pub HashMap<String, String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Headers {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let h = req
            .headers()
            .iter()
            .map(|h| {
                (
                    h.name().as_str().to_ascii_lowercase(),
                    h.value().to_string(),
                )
            })
            .collect();
        Outcome::Success(Headers(h))
    }
}

/// A stand-in being served; it stops when this is dropped.
pub struct Served {
    pub base: String,
    shutdown: rocket::Shutdown,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Serves `routes` with `state` managed, once the port answers.
pub async fn serve<S: Send + Sync + 'static>(
    state: impl FnOnce(String) -> S,
    routes: Vec<Route>,
) -> Served {
    let port = crate::nginx::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = rocket::Config {
        port,
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = rocket::custom(config)
        .manage(state(base.clone()))
        .mount("/", routes)
        .ignite()
        .await
        .expect("stand-in ignites");
    let shutdown = rocket.shutdown();
    tokio::spawn(rocket.launch());
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Served { base, shutdown }
}

/// Posts a webhook `body` to the app with the provider's `headers`: its status and text.
pub async fn post_webhook(url: &str, body: &[u8], headers: &[(&str, String)]) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.expect("webhook delivered");
    (res.status().as_u16(), res.text().await.unwrap())
}
