//! What an operator reads: every answer carries a request id (NGINX's when it is a plain token),
//! the 500 page shows it; `/metrics` counts requests by route pattern (never a raw path with its
//! token), orders placed and the outbox, for loopback callers or with the bearer token only;
//! `/readyz` says when the e-mail outbox is stuck.

use crate::each_backend;
use crate::floor::web_order;
use crate::harness::{TestApp, TestDb};
use diesel::prelude::*;
use ocpizza::db::schema::email_outbox;
use serde_json::json;
use std::sync::Arc;

#[rocket::get("/boom")]
fn boom() -> Result<&'static str, ocpizza::web::error::AppError> {
    Err(ocpizza::web::error::AppError::internal("a bug"))
}

async fn with_token(db: Arc<TestDb>) -> TestApp {
    TestApp::serve_configured(
        db,
        true,
        &[("metrics_token", json!("s3cret-scraper"))],
        |r| r.mount("/test", rocket::routes![boom]),
    )
    .await
}

each_backend! {
    async fn every_answer_carries_a_request_id_and_a_500_page_shows_it(db) {
        let app = with_token(db).await;
        let res = app.http.get(app.url("/")).send().await.unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        let given = app.http.get(app.url("/")).header("X-Request-Id", "nginx-5f2c9a1e7b").send().await.unwrap();
        assert_eq!(given.headers()["x-request-id"], "nginx-5f2c9a1e7b", "the proxy's id is kept");
        let odd = app.http.get(app.url("/")).header("X-Request-Id", "<script>").send().await.unwrap();
        assert_ne!(odd.headers()["x-request-id"], "<script>", "anything else is replaced");

        let res = app.http.get(app.url("/test/boom")).send().await.unwrap();
        assert_eq!(res.status(), 500);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        let page = res.text().await.unwrap();
        assert!(page.contains("Une erreur inattendue est survenue") && page.contains(&format!("<code>{id}</code>")), "{page}");
        assert!(!page.contains("a bug"), "the error itself stays in the log");
    }
}

each_backend! {
    async fn metrics_count_routes_orders_and_emails_for_the_operator_only(db) {
        let app = with_token(db).await;
        app.with_conn(crate::fixtures::open_all_day).await;
        let shop = crate::ordering::Shop {
            bastille: app.with_conn(|c| crate::fixtures::pizzeria(c, "bastille")).await,
            montmartre: app.with_conn(|c| crate::fixtures::pizzeria(c, "montmartre")).await,
            marais: app.with_conn(|c| crate::fixtures::pizzeria(c, "marais")).await,
            margherita: app.with_conn(|c| crate::fixtures::product(c, "Margherita")).await,
            regina: app.with_conn(|c| crate::fixtures::product(c, "Regina")).await,
            bufalina: app.with_conn(|c| crate::fixtures::product(c, "Bufalina")).await,
            app,
        };
        let (mut customer, token, _) = web_order(&shop, 1).await;
        customer.get(&format!("/orders/{token}")).await;
        let (status, text) = shop.app.get("/metrics").await;
        assert_eq!(status, 200, "loopback, not through the proxy: {text}");
        for expected in [
            "# TYPE ocpizza_http_requests_total counter",
            "ocpizza_http_requests_total{method=\"GET\",route=\"/orders/<token>\",status=\"200\"} 1",
            "ocpizza_http_request_duration_seconds_bucket{method=\"GET\",route=\"/orders/<token>\",le=\"+Inf\"} 1",
            "ocpizza_orders_placed_total 1",
            "ocpizza_orders_refused_for_stock_total 0",
            "ocpizza_orders_today{status=\"RECEIVED\"} 1",
            "ocpizza_emails{status=\"failed\"} 0",
            "ocpizza_outbox_oldest_pending_seconds",
            "ocpizza_db_pool_connections{state=\"max\"} 8",
            "ocpizza_live_subscribers",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
        assert!(!text.contains(&token), "never a raw path");

        let through_proxy = shop.app.http.get(shop.app.url("/metrics")).header("X-Real-IP", "203.0.113.9").send().await.unwrap();
        assert_eq!(through_proxy.status(), 403, "from outside, through NGINX");
        let wrong = shop.app.http.get(shop.app.url("/metrics")).header("X-Real-IP", "203.0.113.9").bearer_auth("guess").send().await.unwrap();
        assert_eq!(wrong.status(), 403);
        let scraper = shop.app.http.get(shop.app.url("/metrics")).header("X-Real-IP", "203.0.113.9").bearer_auth("s3cret-scraper").send().await.unwrap();
        assert_eq!(scraper.status(), 200, "with the token, from anywhere");
    }
}

each_backend! {
    async fn readiness_fails_with_its_reason_when_the_outbox_is_stuck(db) {
        // No SMTP server answers here: messages stay pending.
        let app = TestApp::serve_configured(db, true, &[
            ("mail.smtp_host", json!("127.0.0.1")), ("mail.smtp_port", json!(9)), ("mail.smtp_tls", json!("none")),
        ], |r| r).await;
        let (status, body) = app.get("/readyz").await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((status, v["outbox"]["state"].as_str()), (200, Some("ok")), "{body}");
        // A message queued twenty minutes ago, still not sent.
        app.with_conn(|c| {
            ocpizza::models::outbox::enqueue(c, "test:stuck", "lea@example.fr", "low_stock", &json!({}), None).unwrap();
            let old = ocpizza::models::now() - chrono::Duration::minutes(20);
            diesel::update(email_outbox::table.filter(email_outbox::dedupe_key.eq("test:stuck")))
                .set(email_outbox::created_at.eq(old))
                .execute(c)
                .unwrap()
        }).await;
        let (status, body) = app.get("/readyz").await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 503, "{body}");
        assert_eq!(v["outbox"]["state"], "stuck");
        assert!(v["outbox"]["oldest_pending_s"].as_i64().unwrap() >= 1200, "{body}");
        assert_eq!(v["status"], "not ready");
    }
}
