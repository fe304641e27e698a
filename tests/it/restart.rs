//! An update that loses nothing: orders are placed without pause while `ocpizza serve` is
//! stopped with SIGTERM (as Supervisor and systemd stop it) and started again. Every order a
//! customer saw accepted is in the database once, no other is, every e-mail is sent once, and
//! open live pages are told to reconnect.

use crate::customer::field_in;
use crate::each_backend;
use crate::fixtures;
use crate::harness::TestDb;
use crate::nginx::free_port;
use diesel::prelude::*;
use ocpizza::db::schema::{email_outbox, ingredients, orders};
use ocpizza::domain::ids::IngredientId;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `ocpizza serve` as a process of its own on `port`; its log in `dir`.
fn serve(db: &TestDb, port: u16, dir: &Path, run: usize) -> Child {
    let log = std::fs::File::create(dir.join(format!("serve-{run}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_ocpizza"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("serve")
        .env("OCPIZZA_DATABASE_URL", &db.url)
        .env("OCPIZZA_MEDIA_DIR", db.media_dir())
        .env("OCPIZZA_MAIL__FOLDER", db.mail_dir())
        .env("OCPIZZA_MAIL__POLL_MS", "100")
        .env("OCPIZZA_DEMO_DATA", "true")
        .env("OCPIZZA_DEMO_ORDERS", "false")
        .env("OCPIZZA_DEMO_PHOTOS", "false")
        .env("OCPIZZA_LOG", "warn")
        .env("ROCKET_SECRET_KEY", crate::harness::SECRET_KEY)
        .env("ROCKET_PORT", port.to_string())
        .env_remove("ROCKET_PROFILE")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("run ocpizza serve")
}

async fn ready(base: &str) {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("ocpizza serve did not become ready");
}

fn terminate(child: &mut Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "a SIGTERM is a clean stop: {status}");
}

#[derive(Default)]
struct Outcomes {
    accepted: BTreeSet<String>,
    unanswered: usize,
    refused: usize,
}

/// A pizza in the cart, then the checkout page: its form, or None when the server is away.
async fn fill_cart(http: &reqwest::Client, base: &str, p: i64, product: i64) -> Option<String> {
    let home = http
        .get(format!("{base}/"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let csrf = crate::customer::csrf_in(&home)?;
    http.post(format!("{base}/cart/lines"))
        .header("Sec-Fetch-Site", "same-origin")
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &csrf)
        .form(&[
            ("pizzeria_id", p.to_string()),
            ("product_id", product.to_string()),
            ("quantity", "1".into()),
        ])
        .send()
        .await
        .ok()?;
    http.get(format!("{base}/checkout"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()
}

/// Posts the checkout `form` shows (None if the page had no form).
async fn check_out(
    http: &reqwest::Client,
    base: &str,
    form: &str,
) -> Option<reqwest::Result<reqwest::Response>> {
    let (key, version, shown, csrf) = (
        field_in(form, "idempotency_key")?,
        field_in(form, "cart_version")?,
        field_in(form, "cart_shown")?,
        crate::customer::csrf_in(form)?,
    );
    let mut fields = vec![
        ("csrf_token", csrf.as_str()),
        ("idempotency_key", &key),
        ("cart_version", &version),
        ("cart_shown", &shown),
    ];
    fields.extend_from_slice(&crate::customer::DELIVERY);
    Some(
        http.post(format!("{base}/checkout"))
            .header("Sec-Fetch-Site", "same-origin")
            .form(&fields)
            .send()
            .await,
    )
}

/// One customer ordering again and again until `stop`: what each checkout got.
async fn customer(
    base: String,
    p: i64,
    product: i64,
    stop: Arc<AtomicBool>,
    out: Arc<Mutex<Outcomes>>,
) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    while !stop.load(Ordering::Relaxed) {
        let Some(form) = fill_cart(&http, &base, p, product).await else {
            continue_later().await;
            continue;
        };
        let Some(sent) = check_out(&http, &base, &form).await else {
            continue;
        };
        let mut out = out.lock().unwrap();
        match sent {
            Ok(r) if r.status() == 303 => {
                let token = r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                out.accepted.insert(token.to_string());
            }
            Ok(_) => out.refused += 1,
            Err(_) => out.unanswered += 1,
        }
    }
}

/// While the server is away: try again a moment later.
async fn continue_later() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}

/// The live menu's stream, read raw until it ends: what the server said last.
async fn stream_ending(res: reqwest::Response) -> String {
    use futures_util::StreamExt;
    let mut body = res.bytes_stream();
    let mut text = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(10), body.next()).await
    {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

/// Once every e-mail is sent: the outbox's rows and the Message-ID of each .eml file written.
async fn all_mail_sent(db: &TestDb) -> (i64, Vec<String>) {
    let pool = db.pool();
    crate::mail::drained(&pool).await;
    let rows: i64 = email_outbox::table
        .count()
        .get_result(&mut pool.get().unwrap())
        .unwrap();
    let ids = std::fs::read_dir(db.mail_dir())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .map(|m| {
            let id = m
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"));
            id.unwrap_or_default().to_string()
        })
        .collect();
    (rows, ids)
}

each_backend! {
    async fn orders_placed_during_a_restart_are_kept_once_and_mailed_once(db) {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server = serve(&db, port, dir.path(), 1);
        ready(&base).await;
        let pool = db.pool();
        let (p, margherita) = {
            let mut c = pool.get().unwrap();
            fixtures::open_all_day(&mut c);
            let p = fixtures::pizzeria(&mut c, "bastille");
            let all: Vec<i64> = ingredients::table.select(ingredients::id).load(&mut c).unwrap();
            for id in all {
                fixtures::set_stock(&mut c, p, IngredientId(id), 1_000_000);
            }
            (p, fixtures::product(&mut c, "Margherita"))
        };
        let menu = reqwest::get(format!("{base}/pizzerias/{p}/events")).await.unwrap();
        let (stop, out) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Outcomes::default())));
        let customers: Vec<_> = (0..4)
            .map(|_| tokio::spawn(customer(base.clone(), p.0, margherita.0, stop.clone(), out.clone())))
            .collect();
        let placed = || out.lock().unwrap().accepted.len();
        while placed() < 8 {
            tokio::task::yield_now().await;
        }
        let ending = tokio::spawn(stream_ending(menu));
        terminate(&mut server);
        let before = placed();
        let last_words = ending.await.unwrap();
        assert!(last_words.trim_end().ends_with("retry:500"), "the live page is told to come back: {last_words:?}");

        let mut server = serve(&db, port, dir.path(), 2);
        ready(&base).await;
        while placed() < before + 8 {
            tokio::task::yield_now().await;
        }
        stop.store(true, Ordering::Relaxed);
        for c in customers {
            c.await.unwrap();
        }
        let (mails, message_ids) = all_mail_sent(&db).await;
        terminate(&mut server);

        let out = out.lock().unwrap();
        let stored: Vec<String> = orders::table.select(orders::token).load(&mut pool.get().unwrap()).unwrap();
        let unique: BTreeSet<String> = stored.iter().cloned().collect();
        assert_eq!(unique.len(), stored.len());
        assert_eq!(unique, out.accepted, "accepted orders exactly ({} unanswered, {} refused)", out.unanswered, out.refused);
        let per_order: i64 = email_outbox::table.filter(email_outbox::order_id.is_not_null()).count().get_result(&mut pool.get().unwrap()).unwrap();
        assert_eq!(per_order as usize, out.accepted.len(), "one confirmation per order");
        let distinct: BTreeSet<&String> = message_ids.iter().collect();
        assert_eq!((message_ids.len(), distinct.len()), (mails as usize, mails as usize), "every e-mail written once");
    }
}
