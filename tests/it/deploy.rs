//! The shipped NGINX site, run by a real NGINX in front of the app: security headers, HTTPS
//! redirect, Certbot's webroot, cached assets, live pages through the proxy, /metrics kept in,
//! the client's address never taken from the client; two app processes behind it as one.

use crate::customer::{csrf_in, Customer};
use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use crate::live::SseReader;
use crate::nginx::Nginx;
use diesel::prelude::*;
use ocpizza::db::schema::login_attempts;
use ocpizza::models::stock::Context;
use ocpizza::services::stock::{self, Need};
use std::time::Duration;

/// An app as production runs it behind NGINX: the client's address from X-Real-IP, one
/// secret key for every process.
async fn behind_proxy(db: std::sync::Arc<crate::harness::TestDb>, demo: bool) -> TestApp {
    let settings = [
        ("ip_header", serde_json::json!("X-Real-IP")),
        ("secret_key", serde_json::json!(crate::harness::SECRET_KEY)),
    ];
    TestApp::serve_configured(db, demo, &settings, |r| r).await
}

fn port_of(app: &TestApp) -> u16 {
    app.base.rsplit(':').next().unwrap().parse().unwrap()
}

fn browser(nginx: &Nginx) -> Customer {
    Customer {
        http: Nginx::client(),
        base: nginx.url(""),
        csrf: String::new(),
    }
}

async fn headers(nginx: &Nginx) {
    let http = Nginx::client();
    let page = http
        .get(nginx.url("/"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers();
    assert_eq!(
        h["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-encoding"], "gzip", "pages are compressed");
}

async fn redirect_and_files(nginx: &Nginx) {
    let http = Nginx::client();
    let plain = http
        .get(format!("http://127.0.0.1:{}/pizzerias/1?x=1", nginx.http))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 301);
    assert_eq!(
        plain.headers()["location"],
        "https://127.0.0.1/pizzerias/1?x=1"
    );
    std::fs::write(
        nginx.webroot.join(".well-known/acme-challenge/t0k3n"),
        "t0k3n.key",
    )
    .unwrap();
    let challenge = http
        .get(format!(
            "http://127.0.0.1:{}/.well-known/acme-challenge/t0k3n",
            nginx.http
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (challenge.status().as_u16(), challenge.text().await.unwrap()),
        (200, "t0k3n.key".into())
    );

    let css = http
        .get(nginx.url("/assets/app.css?v=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(css.headers().contains_key("strict-transport-security"));
    assert_eq!(css.headers()["content-type"], "text/css");
    let on_disk = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/app.css")).unwrap();
    assert_eq!(css.bytes().await.unwrap().as_ref(), on_disk.as_slice());
}

each_backend! {
    async fn the_shipped_site_serves_the_app_over_https_with_its_headers_and_live_pages(db) {
        let app = behind_proxy(db, true).await;
        let (p, bufala, bufalina) = app
            .with_conn(|c| (fixtures::pizzeria(c, "montmartre"), fixtures::ingredient(c, "Mozzarella di bufala"), fixtures::product(c, "Bufalina")))
            .await;
        let nginx = Nginx::start(&[port_of(&app)], &app.db.media_dir()).await;
        headers(&nginx).await;
        redirect_and_files(&nginx).await;

        // /metrics: refused through the proxy, open on loopback to the process itself.
        let http = Nginx::client();
        assert_eq!(http.get(nginx.url("/metrics")).send().await.unwrap().status(), 404);
        assert_eq!(app.get("/metrics").await.0, 200);

        // A stock change reaches a menu streamed through NGINX within a second.
        let mut sse = SseReader::open_proxied(&http, &nginx.url(&format!("/pizzerias/{p}/events"))).await;
        sse.drain(Duration::from_millis(300)).await;
        app.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        let e = sse.wait_for(&format!("product-{bufalina}"), Duration::from_secs(1)).await.expect("the change within a second");
        assert!(e.data.contains("Plus que 1"), "{e:?}");

        // A client claiming another address: the app sees NGINX's view of it.
        let mut c = browser(&nginx);
        c.get("/login").await;
        let fields = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("csrf_token", c.csrf.as_str()), ("email", "x@example.fr"), ("password", "pas le bon mot"), ("next", "")])
            .finish();
        let spoof = [("Sec-Fetch-Site", "same-origin"), ("X-Real-IP", "203.0.113.9"), ("X-Forwarded-For", "203.0.113.9")];
        let refused = c.raw_post("/login", fields, &spoof).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        let ips: Vec<String> = app.with_conn(|c| login_attempts::table.select(login_attempts::ip).load(c).unwrap()).await;
        assert_eq!(ips, vec!["127.0.0.1".to_string()]);
    }

    async fn two_processes_behind_nginx_work_as_one(db) {
        let a = behind_proxy(db.clone(), true).await;
        let b = behind_proxy(db, false).await;
        let (p, margherita, bufala, bufalina) = a
            .with_conn(|c| {
                fixtures::open_all_day(c);
                (fixtures::pizzeria(c, "montmartre"), fixtures::product(c, "Margherita"), fixtures::ingredient(c, "Mozzarella di bufala"), fixtures::product(c, "Bufalina"))
            })
            .await;
        let nginx = Nginx::start(&[port_of(&a), port_of(&b)], &a.db.media_dir()).await;
        let served_before = [requests_served(&a).await, requests_served(&b).await];

        // A customer's session and cart, whichever process answers each request.
        let mut c = browser(&nginx);
        c.get(&format!("/pizzerias/{p}")).await;
        for _ in 0..3 {
            let added = c.add(p.0, margherita.0, 1).await;
            assert_eq!(added.status, 200, "{}", added.body);
        }
        for _ in 0..4 {
            let cart = c.get("/cart").await;
            assert!(cart.body.contains("Margherita") && cart.body.contains("31,50"), "{}", cart.body);
            assert!(csrf_in(&cart.body).is_some());
        }
        let placed = c.checkout().await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let tracking = c.get(placed.location.as_deref().unwrap()).await;
        assert_eq!(tracking.status, 200);

        // Live menus open on both processes hear a change made by one of them.
        let mut streams = Vec::new();
        for _ in 0..2 {
            let mut s = SseReader::open_proxied(&c.http, &nginx.url(&format!("/pizzerias/{p}/events"))).await;
            s.drain(Duration::from_millis(300)).await;
            streams.push(s);
        }
        b.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        for s in &mut streams {
            let e = s.wait_for(&format!("product-{bufalina}"), Duration::from_secs(2)).await.expect("the change on every stream");
            assert!(e.data.contains("Plus que 1"), "{e:?}");
        }
        let served = [requests_served(&a).await - served_before[0], requests_served(&b).await - served_before[1]];
        assert!(served[0] >= 4 && served[1] >= 4, "both processes answered: {served:?}");
    }
}

/// Requests a process has answered, from its own /metrics.
async fn requests_served(app: &TestApp) -> u64 {
    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, 200);
    text.lines()
        .filter(|l| l.starts_with("ocpizza_http_requests_total{"))
        .filter(|l| !l.contains("route=\"/metrics\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}
