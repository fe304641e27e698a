//! Live menus: a stock change made by any process reaches every open menu stream.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::harness::TestApp;
use futures_util::StreamExt;
use ocpizza::models::stock::Context;
use ocpizza::services::stock::{self, Need};
use std::time::Duration;

/// Reads server-sent events from a live HTTP response.
pub struct SseReader {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub name: String,
    pub data: String,
}

impl SseReader {
    pub async fn open(app: &TestApp, path: &str) -> SseReader {
        Self::open_with(&app.http, &app.url(path)).await
    }

    /// The same, with a browser's client (its cookies).
    pub async fn open_with(http: &reqwest::Client, url: &str) -> SseReader {
        Self::connect(http, url, true).await
    }

    /// A stream through NGINX (which reads and drops X-Accel-Buffering).
    pub async fn open_proxied(http: &reqwest::Client, url: &str) -> SseReader {
        Self::connect(http, url, false).await
    }

    async fn connect(http: &reqwest::Client, url: &str, direct: bool) -> SseReader {
        let res = http
            .get(url)
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .unwrap();
        if direct {
            assert_eq!(res.headers()["x-accel-buffering"], "no");
        }
        Self::reading(res)
    }

    fn reading(res: reqwest::Response) -> SseReader {
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        SseReader {
            body: Box::pin(res.bytes_stream()),
            buf: String::new(),
        }
    }

    /// The next event, or None if none comes within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = SseEvent {
                    name: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v);
                    }
                }
                if event.name.is_empty() {
                    continue; // keep-alive comment
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .ok()??
                .ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Skips events until one named `name` arrives.
    pub async fn wait_for(&mut self, name: &str, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let e = self.next(left).await?;
            if e.name == name {
                return Some(e);
            }
        }
    }

    /// Reads everything already sent, for at most `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<SseEvent> {
        let mut all = Vec::new();
        while let Some(e) = self.next(wait).await {
            all.push(e);
        }
        all
    }
}

const WAIT: Duration = Duration::from_secs(10);

each_backend! {
    async fn a_new_stream_starts_with_the_current_availability(db) {
        let app = TestApp::with_demo(db).await;
        let (p, bufalina) = app.with_conn(|c| (fixtures::pizzeria(c, "montmartre"), fixtures::product(c, "Bufalina"))).await;
        let mut sse = SseReader::open(&app, &format!("/pizzerias/{p}/events")).await;
        let initial = sse.drain(Duration::from_millis(500)).await;
        let bufalina_event = initial.iter().find(|e| e.name == format!("product-{bufalina}")).expect("bufalina state sent");
        assert!(bufalina_event.data.contains("Plus que 2"), "{bufalina_event:?}");
        assert!(initial.len() >= 20, "one event per product on the menu");
    }

    async fn a_stream_starts_silent_when_the_page_is_up_to_date(db) {
        let app = TestApp::with_demo(db).await;
        let (p, bufala, bufalina) = app
            .with_conn(|c| (fixtures::pizzeria(c, "montmartre"), fixtures::ingredient(c, "Mozzarella di bufala"), fixtures::product(c, "Bufalina")))
            .await;
        let (_, html) = app.get(&format!("/pizzerias/{p}")).await;
        let at = html.find("events?v=").unwrap() + "events?v=".len();
        let version = html[at..at + html[at..].find('"').unwrap()].to_string();
        let mut fresh = SseReader::open(&app, &format!("/pizzerias/{p}/events?v={version}")).await;
        assert_eq!(fresh.drain(Duration::from_millis(500)).await, vec![], "nothing to replace");
        // The stock moves before this page's stream connects: the stream brings it up to date.
        app.with_conn(move |c| ocpizza::services::stock::reserve(c, p, &[ocpizza::services::stock::Need { ingredient: bufala, qty: 120 }], Default::default()))
            .await
            .unwrap();
        let mut stale = SseReader::open(&app, &format!("/pizzerias/{p}/events?v={version}")).await;
        let events = stale.drain(Duration::from_millis(500)).await;
        let bufalina_event = events.iter().find(|e| e.name == format!("product-{bufalina}")).expect("bufalina brought up to date");
        assert!(bufalina_event.data.contains("Plus que 1"), "{bufalina_event:?}");
    }

    async fn a_stock_change_by_another_instance_reaches_every_open_menu(db) {
        let a = TestApp::with_demo(db).await;
        let b = a.another_instance().await;
        let (p, bufala, bufalina, parma) = a
            .with_conn(|c| (
                fixtures::pizzeria(c, "montmartre"),
                fixtures::ingredient(c, "Mozzarella di bufala"),
                fixtures::product(c, "Bufalina"),
                fixtures::product(c, "Parma"),
            ))
            .await;
        let mut on_a = SseReader::open(&a, &format!("/pizzerias/{p}/events")).await;
        let mut on_b = SseReader::open(&b, &format!("/pizzerias/{p}/events")).await;
        on_a.drain(Duration::from_millis(300)).await;
        on_b.drain(Duration::from_millis(300)).await;

        // Instance B's process reserves 120 g of bufala: 2 → 1 Bufalina, 2 → 1 Parma.
        b.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();

        for sse in [&mut on_a, &mut on_b] {
            let mut seen = std::collections::HashMap::new();
            while seen.len() < 2 {
                let e = sse.next(WAIT).await.expect("bufalina and parma updates");
                seen.insert(e.name, e.data);
            }
            for product in [bufalina, parma] {
                let data = &seen[&format!("product-{product}")];
                assert!(data.contains("Plus que 1"), "{data}");
            }
        }

        // The last 120 g go: both become sold out.
        b.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        let e = on_a.wait_for(&format!("product-{bufalina}"), WAIT).await.expect("sold out update");
        assert!(e.data.contains("Épuisée") && e.data.contains("availability--soldout"), "{e:?}");
    }

    async fn only_the_pizzeria_whose_stock_changed_is_told(db) {
        let app = TestApp::with_demo(db).await;
        let (montmartre, marais, bufala, bufalina) = app
            .with_conn(|c| (
                fixtures::pizzeria(c, "montmartre"),
                fixtures::pizzeria(c, "marais"),
                fixtures::ingredient(c, "Mozzarella di bufala"),
                fixtures::product(c, "Bufalina"),
            ))
            .await;
        let mut changed = SseReader::open(&app, &format!("/pizzerias/{montmartre}/events")).await;
        let mut other = SseReader::open(&app, &format!("/pizzerias/{marais}/events")).await;
        changed.drain(Duration::from_millis(300)).await;
        other.drain(Duration::from_millis(300)).await;
        app.with_conn(move |c| stock::reserve(c, montmartre, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        changed.wait_for(&format!("product-{bufalina}"), WAIT).await.expect("update");
        assert_eq!(other.drain(Duration::from_millis(500)).await, vec![]);
    }

    async fn every_open_menu_gets_the_same_change_with_its_own_token(db) {
        let app = TestApp::with_demo(db).await;
        let (p, bufala, bufalina) = app
            .with_conn(|c| (fixtures::pizzeria(c, "montmartre"), fixtures::ingredient(c, "Mozzarella di bufala"), fixtures::product(c, "Bufalina")))
            .await;
        let events = app.url(&format!("/pizzerias/{p}/events"));
        let (a, b) = (Customer::new(&app).await, Customer::new(&app).await);
        assert!(!a.csrf.is_empty() && a.csrf != b.csrf, "two visitors, two tokens");
        let mut on_a = SseReader::open_with(&a.http, &events).await;
        let mut on_b = SseReader::open_with(&b.http, &events).await;
        on_a.drain(Duration::from_millis(300)).await;
        on_b.drain(Duration::from_millis(300)).await;
        app.with_conn(move |c| stock::reserve(c, p, &[Need { ingredient: bufala, qty: 120 }], Context::default()))
            .await
            .unwrap();
        let name = format!("product-{bufalina}");
        let seen_a = on_a.wait_for(&name, WAIT).await.expect("a's update").data;
        let seen_b = on_b.wait_for(&name, WAIT).await.expect("b's update").data;
        assert!(seen_a.contains("Plus que 1"), "{seen_a}");
        // The fragment is rendered once for both: each copy holds its own visitor's token only.
        assert!(seen_a.contains(&format!(r#"value="{}""#, a.csrf)) && !seen_a.contains(&b.csrf), "{seen_a}");
        assert!(seen_b.contains(&format!(r#"value="{}""#, b.csrf)) && !seen_b.contains(&a.csrf), "{seen_b}");
        assert_eq!(seen_a.replace(&a.csrf, "T"), seen_b.replace(&b.csrf, "T"));
    }
}
