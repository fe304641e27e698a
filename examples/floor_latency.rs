//! How fast the kitchen floor follows a status change, used by scripts/bench against a running
//! release build.
//!
//! It fills the first pizzeria's queue with `--orders` open orders (entered through the
//! counter's pipeline, some started, some for later), signs a pizzaiolo in, opens `--screens`
//! kitchen streams and, for each order it will start, that order's tracking stream. Then
//! `--changes` times the pizzaiolo taps "Commencer" (an HTTP POST, as on the tablet), and
//! `--changes` times another process starts an order straight in the database (the app hears
//! of it through its tailer). Each change is timed from the tap (or the commit) to its arrival
//! on every kitchen screen and on the customer's page. The signed-in cookie is written to
//! `--cookie-file` for wrk to load the kitchen page.
//!
//! cargo run --release --features mysql --example floor_latency -- \
//!     --base http://127.0.0.1:8000 --db var/bench.db --orders 300 --screens 20 --changes 20

use futures_util::StreamExt;
use ocpizza::domain::cart::CartLine;
use ocpizza::domain::contact::{Address, Contact};
use ocpizza::domain::ids::{OrderId, ProductId};
use ocpizza::domain::order::{Channel, PaymentMethod};
use ocpizza::domain::token::OrderToken;
use ocpizza::services::floor::{self, CounterOrder, Member};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/sign_in.rs"]
mod sign_in;
mod support;
use sign_in::sign_in;

type Events = Arc<Mutex<Vec<(Instant, String)>>>;

/// Reads a stream and keeps every event of `name` with when it came.
async fn watch(client: reqwest::Client, url: String, name: &'static str, into: Events) {
    let res = client.get(url).send().await.expect("stream opens");
    assert_eq!(res.status().as_u16(), 200, "stream refused");
    let mut body = res.bytes_stream();
    let (mut buffer, mut current) = (String::new(), false);
    while let Some(Ok(chunk)) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let line = line.trim_end();
            if let Some(event) = line.strip_prefix("event:") {
                current = event.trim() == name;
            } else if let (true, Some(data)) = (current, line.strip_prefix("data:")) {
                into.lock()
                    .unwrap()
                    .push((Instant::now(), data.to_string()));
            }
        }
    }
}

/// Opens a stream in the background: the events it will receive.
fn open(client: &reqwest::Client, url: &str, name: &'static str) -> Events {
    let events = Events::default();
    tokio::spawn(watch(client.clone(), url.to_string(), name, events.clone()));
    events
}

/// Fills the queue: (id, token) of each order, in the order placed.
fn fill_queue(c: &mut ocpizza::db::DbConn, n: usize) -> (Member, Vec<(OrderId, OrderToken)>) {
    let m = support::prepare(c);
    support::allow_margheritas(c, &m, (n as i64) * 3 + 100);
    let (user, pizzeria) =
        ocpizza::models::staff::member_by_email(c, "counter.bastille@demo.ocpizza.fr")
            .unwrap()
            .expect("the demo's counter clerk");
    let by = Member { pizzeria, user };
    let placed = (0..n)
        .map(|i| {
            let order = CounterOrder {
                lines: vec![CartLine {
                    product: ProductId(m.product),
                    qty: 1 + (i % 3) as u32,
                }],
                contact: Contact {
                    name: format!("Client {i}"),
                    phone: "06 12 34 56 78".into(),
                    email: String::new(),
                },
                delivery: (i % 2 == 0).then(|| Address {
                    street: format!("{} rue de la Roquette", i + 1),
                    postal_code: "75011".into(),
                    city: "Paris".into(),
                    instructions: None,
                }),
                // One in ten for later: the "plus tard" lane.
                desired_at: (i % 10 == 9)
                    .then(|| ocpizza::models::now() + chrono::Duration::hours(3)),
                channel: Channel::Phone,
                payment: if i % 2 == 0 {
                    PaymentMethod::OnDelivery
                } else {
                    PaymentMethod::AtPickup
                },
                paid_now: None,
                key: ocpizza::services::tokens::checkout_key(),
                promised_at: None,
            };
            floor::place_counter_order(c, by, &order).expect("order placed")
        })
        .collect();
    (by, placed)
}

/// The first `n` orders wanted now are for the benchmark to start; a quarter of those after
/// them are started already, so that the queue holds both kinds of tickets.
fn pick(
    c: &mut ocpizza::db::DbConn,
    by: Member,
    placed: &[(OrderId, OrderToken)],
    n: usize,
) -> Vec<(OrderId, OrderToken)> {
    for (id, _) in placed.iter().skip(n + n / 2).step_by(4) {
        floor::start(c, by, *id).expect("started");
    }
    placed
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 9)
        .map(|(_, o)| o.clone())
        .take(n)
        .collect()
}

#[tokio::main]
async fn main() {
    let f = support::flags(&[
        ("base", "http://127.0.0.1:8000"),
        ("db", "var/ocpizza.db"),
        ("orders", "300"),
        ("screens", "20"),
        ("changes", "20"),
        ("cookie-file", ""),
    ]);
    let (orders, screens, changes): (usize, usize, usize) = (
        f["orders"].parse().unwrap(),
        f["screens"].parse().unwrap(),
        f["changes"].parse().unwrap(),
    );
    let base = f["base"].clone();
    let pool = ocpizza::db::connect(&f["db"], 2).expect("database");
    let mut c = pool.get().unwrap();
    let (by, placed) = fill_queue(&mut c, orders);
    let to_start = pick(&mut c, by, &placed, 2 * changes);
    let kitchen_page = format!("/staff/{}/kitchen", by.pizzeria);
    let (client, csrf, cookie) = sign_in(&base, "pizzaiolo", "bastille", &kitchen_page).await;
    if !f["cookie-file"].is_empty() {
        std::fs::write(&f["cookie-file"], &cookie).unwrap();
    }
    let kitchen_url = format!("{base}/staff/{}/kitchen/events", by.pizzeria);
    let kitchen: Vec<Events> = (0..screens)
        .map(|_| open(&client, &kitchen_url, "board"))
        .collect();
    let tracking: Vec<Events> = to_start
        .iter()
        .map(|(_, token)| {
            open(
                &reqwest::Client::new(),
                &format!("{base}/orders/{token}/events"),
                "status",
            )
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ids: Vec<OrderId> = to_start.iter().map(|(id, _)| *id).collect();
    let taps = tap(&client, &base, &csrf, by, &ids[..changes]).await;
    let mut commits = Vec::new();
    for id in &ids[changes..] {
        floor::start(&mut c, by, *id).expect("started by another process");
        commits.push((*id, Instant::now()));
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("open orders              {orders} ({screens} kitchen screens open)");
    report(
        "tap (POST) to screens",
        &taps,
        &kitchen,
        &tracking[..changes],
    );
    report(
        "commit by another process to screens",
        &commits,
        &kitchen,
        &tracking[changes..],
    );
}

/// The pizzaiolo taps "Commencer" on each order, as on the tablet: when each tap was sent.
async fn tap(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    by: Member,
    ids: &[OrderId],
) -> Vec<(OrderId, Instant)> {
    let mut taps = Vec::new();
    for id in ids {
        let at = Instant::now();
        let res = client
            .post(format!("{base}/staff/{}/kitchen/{id}/start", by.pizzeria))
            .header("Sec-Fetch-Site", "same-origin")
            .header("HX-Request", "true")
            .header("X-CSRF-Token", csrf)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "the tap is taken");
        taps.push((*id, at));
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    taps
}

/// For each change, the first event after it that shows the order started, on every kitchen
/// screen and on that order's tracking page.
fn report(what: &str, changes: &[(OrderId, Instant)], kitchen: &[Events], tracking: &[Events]) {
    let mut screens = Vec::new();
    let mut customers = Vec::new();
    let mut missing = 0;
    for (k, (id, at)) in changes.iter().enumerate() {
        let started = format!("data-ticket=\"{id}\" data-status=\"IN_PREPARATION\"");
        for events in kitchen {
            let seen = events.lock().unwrap();
            match seen.iter().find(|(t, d)| t >= at && d.contains(&started)) {
                Some((t, _)) => screens.push(t.duration_since(*at)),
                None => missing += 1,
            }
        }
        let seen = tracking[k].lock().unwrap();
        match seen
            .iter()
            .find(|(t, d)| t >= at && d.contains("<strong>En préparation</strong>"))
        {
            Some((t, _)) => customers.push(t.duration_since(*at)),
            None => missing += 1,
        }
    }
    screens.sort();
    customers.sort();
    println!("{what}:");
    if !screens.is_empty() && !customers.is_empty() {
        println!(
            "  kitchen screens p50 / p99 / max  {:.0} / {:.0} / {:.0} ms ({} events)",
            support::percentile(&screens, 0.5),
            support::percentile(&screens, 0.99),
            support::percentile(&screens, 1.0),
            screens.len()
        );
        println!(
            "  customer's page p50 / p99 / max  {:.0} / {:.0} / {:.0} ms ({} events)",
            support::percentile(&customers, 0.5),
            support::percentile(&customers, 0.99),
            support::percentile(&customers, 1.0),
            customers.len()
        );
    }
    println!("  missing                  {missing}");
    if missing > 0 {
        eprintln!("floor benchmark found missing events");
        std::process::exit(1);
    }
}
