//! Load generator for checkouts, used by scripts/bench against a running release build.
//!
//! It prepares the database (all pizzerias open, Margherita limited to `--stock` at the first
//! pizzeria), prepares `--orders` customers (cart + checkout form), then posts all checkouts
//! with `--concurrency` in flight and prints throughput, latency and the oversell check.
//!
//! cargo run --release --features mysql --example checkout_load -- \
//!     --base http://127.0.0.1:8000 --db var/bench.db --orders 2000 --stock 1500 --concurrency 64

use diesel::prelude::*;
use futures_util::stream::{self, StreamExt};
use ocpizza::db::schema::orders;
use ocpizza::domain::ids::{IngredientId, PizzeriaId};
use ocpizza::models::stock as stock_rows;
use std::time::{Duration, Instant};

mod support;

struct Args {
    base: String,
    db: String,
    orders: usize,
    stock: i64,
    concurrency: usize,
}

fn args() -> Args {
    let f = support::flags(&[
        ("base", "http://127.0.0.1:8000"),
        ("db", "var/ocpizza.db"),
        ("orders", "2000"),
        ("stock", "1500"),
        ("concurrency", "64"),
    ]);
    Args {
        base: f["base"].clone(),
        db: f["db"].clone(),
        orders: f["orders"].parse().expect("--orders N"),
        stock: f["stock"].parse().expect("--stock N"),
        concurrency: f["concurrency"].parse().expect("--concurrency N"),
    }
}

/// `stock` Margheritas can be made at the first pizzeria, no more.
fn prepare(db: &str, stock_units: i64) -> (PizzeriaId, IngredientId, i64) {
    let pool = ocpizza::db::connect(db, 2).expect("database");
    let c = &mut pool.get().unwrap();
    let m = support::prepare(c);
    support::allow_margheritas(c, &m, stock_units);
    (m.pizzeria, m.basil, m.product)
}

struct Customer {
    http: reqwest::Client,
    csrf: String,
    key: String,
    version: String,
}

fn between<'a>(body: &'a str, start: &str) -> Option<&'a str> {
    let at = body.find(start)? + start.len();
    Some(&body[at..at + body[at..].find('"')?])
}

async fn customer(base: &str, p: PizzeriaId, product: i64) -> Customer {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let http = http.clone();
        async move {
            let res = http.get(format!("{base}{path}")).send().await.unwrap();
            res.text().await.unwrap()
        }
    };
    let page = get(format!("/pizzerias/{p}")).await;
    let csrf = between(&page, r#"name="csrf_token" value=""#)
        .expect("csrf token")
        .to_string();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("pizzeria_id", &p.0.to_string()),
        ("product_id", &product.to_string()),
    ];
    let added = http
        .post(format!("{base}/cart/lines"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 303, "add to cart");
    let checkout = get("/checkout".to_string()).await;
    let key = between(&checkout, r#"name="idempotency_key" value=""#)
        .expect("checkout form")
        .to_string();
    let version = between(&checkout, r#"name="cart_version" value=""#)
        .expect("checkout form")
        .to_string();
    Customer {
        http,
        csrf,
        key,
        version,
    }
}

async fn place(base: &str, c: &Customer) -> (u16, Duration) {
    let form = [
        ("csrf_token", c.csrf.as_str()),
        ("idempotency_key", &c.key),
        ("cart_version", &c.version),
        ("fulfilment", "pickup"),
        ("street", ""),
        ("postal_code", ""),
        ("city", ""),
        ("instructions", ""),
        ("name", "Client Test"),
        ("phone", "06 12 34 56 78"),
        ("email", "client@example.fr"),
        ("when", "asap"),
        ("payment", "at_pickup"),
    ];
    let t = Instant::now();
    let res = c
        .http
        .post(format!("{base}/checkout"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let _ = res.bytes().await;
    (status, t.elapsed())
}

#[tokio::main]
async fn main() {
    let a = args();
    let (p, basil, margherita) = prepare(&a.db, a.stock);
    let base = a.base.clone();
    let customers: Vec<Customer> = stream::iter(0..a.orders)
        .map(|_| customer(&base, p, margherita))
        .buffer_unordered(16)
        .collect()
        .await;
    let started = Instant::now();
    let results: Vec<(u16, Duration)> = stream::iter(customers.iter())
        .map(|c| place(&base, c))
        .buffer_unordered(a.concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let placed = results.iter().filter(|r| r.0 == 303).count();
    let refused = results.iter().filter(|r| r.0 == 409).count();
    let other = results.len() - placed - refused;
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.1).collect();
    latencies.sort();

    let counts = (placed, refused, other);
    let ok = check_database(&a, p, basil, counts, &results, wall, &latencies);
    if !ok {
        eprintln!("checkout benchmark found an inconsistency");
        std::process::exit(1);
    }
}

/// Prints the figures and the oversell check; true when the database agrees with the answers.
fn check_database(
    a: &Args,
    p: PizzeriaId,
    basil: IngredientId,
    (placed, refused, other): (usize, usize, usize),
    results: &[(u16, Duration)],
    wall: Duration,
    latencies: &[Duration],
) -> bool {
    let pool = ocpizza::db::connect(&a.db, 2).unwrap();
    let c = &mut pool.get().unwrap();
    let level = stock_rows::level(c, p, basil).unwrap().unwrap();
    let ledger = stock_rows::ledger_sum(c, p, basil).unwrap();
    let in_db: i64 = orders::table
        .filter(orders::pizzeria_id.eq(p.0))
        .count()
        .get_result(c)
        .unwrap();
    let expected = (a.orders as i64).min(a.stock);
    let oversold = (placed as i64 - a.stock).max(0);
    println!("checkouts attempted      {}", a.orders);
    println!(
        "checkouts placed         {placed} (stock allowed {}; expected {expected})",
        a.stock
    );
    println!("checkouts refused (409)  {refused}");
    println!("other answers            {other}");
    println!("wall time                {:.2} s", wall.as_secs_f64());
    println!(
        "checkouts/s              {:.0} answered ({:.0} orders placed/s)",
        results.len() as f64 / wall.as_secs_f64(),
        placed as f64 / wall.as_secs_f64()
    );
    println!(
        "latency p50 / p99 / max  {:.1} / {:.1} / {:.1} ms",
        support::percentile(latencies, 0.5),
        support::percentile(latencies, 0.99),
        support::percentile(latencies, 1.0)
    );
    println!("orders in database       {in_db}");
    println!("oversold                 {oversold}");
    println!(
        "stock never negative     {}",
        level.on_hand >= 0 && level.reserved >= 0 && level.reserved <= level.on_hand
    );
    println!("ledger sums to stock     {}", ledger == level);
    placed as i64 == expected && oversold == 0 && other == 0 && ledger == level
}
