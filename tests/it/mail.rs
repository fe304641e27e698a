//! E-mails, sent for real: a real SMTP server (Python's aiosmtpd, `tests/support/smtp_sink.py`)
//! runs beside the test and parses what it receives with Python's own MIME parser. An order's
//! whole life e-mails its customer at each step, once; with the server down then up, every
//! e-mail arrives once; two app processes on one database send each e-mail once; a 550 reply
//! marks the message failed, and the direction can send it again.

use crate::customer::Customer;
use crate::each_backend;
use crate::fixtures;
use crate::floor::staff;
use crate::harness::{TestApp, TestDb};
use diesel::prelude::*;
use ocpizza::db::schema::email_outbox;
use ocpizza::domain::ids::{OrderId, PizzeriaId};
use ocpizza::domain::order::{Actor, OrderStatus};
use ocpizza::services::orders;
use serde_json::{json, Value};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// The SMTP server of a test, on its own port, keeping what it accepts in a folder.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    folder: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_on(free_port())
    }

    /// Starts it on `port`, and returns once it listens.
    pub fn start_on(port: u16) -> SmtpSink {
        let folder = tempfile::tempdir().unwrap();
        // Debian's Python, where python3-aiosmtpd is installed (not another one on the PATH).
        let mut child = Command::new("/usr/bin/python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/smtp_sink.py"
            ))
            .arg(port.to_string())
            .arg(folder.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("Debian's python3 with aiosmtpd (scripts/setup installs python3-aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server starts");
        SmtpSink {
            child,
            port,
            folder,
        }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// The messages received for addresses ending with `suffix` (the demo's managers get
    /// their own, low-stock alerts).
    pub fn received_for(&self, suffix: &str) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|m| m["to"].as_str().is_some_and(|t| t.ends_with(suffix)))
            .collect()
    }

    /// Waits until `n` messages for addresses ending with `suffix` have arrived (and gives them).
    pub async fn wait_for(&self, suffix: &str, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.received_for(suffix);
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {n} e-mails arrived: {got:#?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mail settings of an app sending through the SMTP server on `port`.
pub fn smtp_settings(port: u16) -> Vec<(&'static str, Value)> {
    vec![
        ("mail.smtp_host", json!("127.0.0.1")),
        ("mail.smtp_port", json!(port)),
        ("mail.smtp_tls", json!("none")),
        ("mail.timeout_s", json!(5)),
        ("mail.poll_ms", json!(50)),
        ("mail.retry_ms", json!(100)),
        ("mail.public_url", json!("https://commande.ocpizza.fr")),
        (
            "mail.reply_to",
            json!("Service client <contact@ocpizza.fr>"),
        ),
    ]
}

pub async fn app_on(db: Arc<TestDb>, demo: bool, port: u16) -> TestApp {
    let app = TestApp::serve_configured(db, demo, &smtp_settings(port), |r| r).await;
    app.with_conn(fixtures::open_all_day).await;
    app
}

/// A delivery of one Margherita by a guest whose e-mail is `email`: (token, order, pizzeria).
async fn order_as(app: &TestApp, email: &str) -> (String, OrderId, PizzeriaId) {
    let p = app.with_conn(|c| fixtures::pizzeria(c, "bastille")).await;
    let margherita = app.with_conn(|c| fixtures::product(c, "Margherita")).await;
    let mut c = Customer::new(app).await;
    c.add(p.0, margherita.0, 1).await;
    let form = c.open_checkout().await;
    let placed = c.checkout_with(&form, &[("email", email)]).await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let token = Customer::token_of(&placed);
    let id = crate::ordering::order_by_token(app, &token).await.id;
    (token, id, p)
}

/// (status, attempts, last error) of every outbox row of `template`.
async fn rows_of(app: &TestApp, template: &'static str) -> Vec<(String, i32, Option<String>)> {
    app.with_conn(move |c| {
        email_outbox::table
            .filter(email_outbox::template.eq(template))
            .order(email_outbox::id)
            .select((
                email_outbox::status,
                email_outbox::attempts,
                email_outbox::last_error,
            ))
            .load(c)
            .unwrap()
    })
    .await
}

/// Waits until no message is pending any more (the app's workers, in this process or another).
pub async fn drained(pool: &ocpizza::db::DbPool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let pool = pool.clone();
        let pending: i64 = tokio::task::spawn_blocking(move || {
            email_outbox::table
                .filter(email_outbox::status.eq("pending"))
                .count()
                .get_result(&mut pool.get().unwrap())
                .unwrap()
        })
        .await
        .unwrap();
        if pending == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{pending} e-mails still pending"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn part<'a>(mail: &'a Value, kind: &str) -> &'a str {
    mail["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} part: {mail:#}"))["body"]
        .as_str()
        .unwrap()
}

each_backend! {
    async fn an_order_s_whole_life_emails_its_customer_at_each_step_once(db) {
        let sink = SmtpSink::start();
        let app = app_on(db, true, sink.port).await;
        let (token, id, p) = order_as(&app, "lea@example.fr").await;
        for to in [OrderStatus::InPreparation, OrderStatus::Ready, OrderStatus::OutForDelivery, OrderStatus::Delivered] {
            app.with_conn(move |c| orders::change_status(c, p, id, to, Actor::Staff, None, None)).await.unwrap();
        }
        drained(&app.pool).await;
        let mails: Vec<Value> = sink.wait_for("lea@example.fr", 4).await;
        let number = crate::ordering::order_by_token(&app, &token).await.number_label();
        let subjects: Vec<&str> = mails.iter().map(|m| m["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, [
            format!("Commande {number} confirmée · OC Pizza Bastille"),
            format!("Commande {number} en préparation"),
            format!("Commande {number} en route"),
            format!("Commande {number} livrée · bon appétit !"),
        ], "one e-mail per step, in order, none for READY of a delivery");
        let link = format!("https://commande.ocpizza.fr/orders/{token}");
        let mut ids = std::collections::BTreeSet::new();
        for (m, word) in mails.iter().zip(["confirmée", "en préparation", "en route", "livrée"]) {
            assert_eq!(m["defects"], json!([]), "valid MIME: {m:#}");
            assert_eq!(m["content_type"], "multipart/alternative");
            assert_eq!(m["rcpt_to"], json!(["lea@example.fr"]));
            assert_eq!(m["from"], "OC Pizza <commandes@ocpizza.fr>");
            assert_eq!(m["reply_to"], "Service client <contact@ocpizza.fr>");
            let (text, html) = (part(m, "text/plain"), part(m, "text/html"));
            assert!(text.contains("Bonjour Léa Martin") && text.contains(&number) && text.contains(word), "{text}");
            assert!(text.contains("1 × Margherita : 10,50\u{a0}€"), "{text:?}");
            assert!(html.contains(&number) && html.contains("<html lang=\"fr\">"), "{html}");
            if word != "livrée" {
                assert!(text.contains(&link), "{text}");
                assert!(html.replace("&#x2F;", "/").contains(&format!("href=\"{link}\"")), "{html}");
            }
            assert!(ids.insert(m["message_id"].as_str().unwrap().to_string()), "each its own Message-ID");
        }
        let first = part(&mails[0], "text/plain");
        assert!(first.contains("Livraison prévue vers"), "the promised time: {first}");
        assert!(first.contains("Paiement à la livraison"), "{first}");
        let statuses: Vec<String> = app.with_conn(move |c| {
            email_outbox::table.filter(email_outbox::order_id.eq(id)).select(email_outbox::status).load(c).unwrap()
        }).await;
        assert_eq!(statuses, ["sent"; 4]);
    }
}

each_backend! {
    async fn with_the_smtp_server_down_then_up_every_email_arrives_once(db) {
        let port = free_port();
        let app = app_on(db, true, port).await;
        let mut placed = Vec::new();
        for i in 0..3 {
            placed.push(order_as(&app, &format!("client{i}@example.fr")).await.0);
        }
        // Nobody listens: each message is tried, kept, and tried again later.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let rows = rows_of(&app, "order_confirmed").await;
            if rows.len() == 3 && rows.iter().all(|(s, n, e)| s == "pending" && *n >= 2 && e.is_some()) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let sink = SmtpSink::start_on(port);
        drained(&app.pool).await;
        let mails = sink.wait_for("@example.fr", 3).await;
        let mut to: Vec<&str> = mails.iter().map(|m| m["to"].as_str().unwrap()).collect();
        to.sort();
        assert_eq!(to, ["client0@example.fr", "client1@example.fr", "client2@example.fr"]);
        let rows = rows_of(&app, "order_confirmed").await;
        assert!(rows.iter().all(|(s, ..)| s == "sent"), "{rows:?}");
        assert_eq!(sink.received_for("@example.fr").len(), 3, "each once");
    }
}

each_backend! {
    async fn two_app_processes_on_one_database_send_each_email_once(db) {
        let sink = SmtpSink::start();
        let first = app_on(db.clone(), true, sink.port).await;
        let second = TestApp::serve_configured(db, false, &smtp_settings(sink.port), |r| r).await;
        let mut tokens = Vec::new();
        for i in 0..12 {
            let app = if i % 2 == 0 { &first } else { &second };
            tokens.push(order_as(app, &format!("client{i}@example.fr")).await.0);
        }
        drained(&first.pool).await;
        let mails = sink.wait_for("@example.fr", 12).await;
        let ids: std::collections::BTreeSet<&str> = mails.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
        assert_eq!((mails.len(), ids.len()), (12, 12), "twelve e-mails, none twice");
        let mut to: Vec<String> = mails.iter().map(|m| m["to"].as_str().unwrap().to_string()).collect();
        to.sort();
        let mut expected: Vec<String> = (0..12).map(|i| format!("client{i}@example.fr")).collect();
        expected.sort();
        assert_eq!(to, expected);
    }
}

each_backend! {
    async fn a_550_marks_the_message_failed_and_the_direction_sends_it_again(db) {
        let sink = SmtpSink::start();
        let app = app_on(db, true, sink.port).await;
        order_as(&app, "refuse@example.fr").await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let failed = loop {
            let rows = rows_of(&app, "order_confirmed").await;
            if rows.first().is_some_and(|(s, ..)| s == "failed") {
                break rows;
            }
            assert!(tokio::time::Instant::now() < deadline, "{rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (_, attempts, error) = &failed[0];
        assert_eq!(*attempts, 1, "a permanent refusal is not tried again");
        assert!(error.as_deref().unwrap_or_default().contains("550"), "{error:?}");
        assert!(sink.received_for("refuse@example.fr").is_empty());

        let mut admin = staff(&app, "admin", "").await;
        let page = admin.get("/admin/emails").await;
        assert_eq!(page.status, 200);
        let body = page.body.replace("&#x27;", "'");
        assert!(body.contains("refuse@example.fr") && body.contains("550"), "{body}");
        let row: i64 = app.with_conn(|c| email_outbox::table.filter(email_outbox::status.eq("failed")).select(email_outbox::id).first(c).unwrap()).await;
        let again = admin.post(&format!("/admin/emails/{row}/retry"), &[]).await;
        assert_eq!(again.status, 303, "{}", again.body);
        // Sent again from its first attempt: the server refuses it again, once more.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let rows = rows_of(&app, "order_confirmed").await;
            if rows[0].0 == "failed" && rows[0].1 == 1 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(admin.post(&format!("/admin/emails/{}/retry", row + 1000), &[]).await.status, 404);
    }
}

each_backend! {
    async fn without_smtp_a_local_run_writes_eml_files(db) {
        let app = TestApp::with_demo(db.clone()).await;
        app.with_conn(fixtures::open_all_day).await;
        let (token, ..) = order_as(&app, "lea@example.fr").await;
        drained(&app.pool).await;
        let files: Vec<String> = std::fs::read_dir(db.mail_dir())
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let eml = files.iter().find(|f| f.contains("lea@example.fr")).expect("an .eml file for the order");
        assert!(eml.contains("Content-Type: multipart/alternative"), "{eml}");
        assert!(eml.contains(&token), "the tracking link: {eml}");
    }
}
