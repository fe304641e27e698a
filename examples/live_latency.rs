//! How long a stock change takes to reach open menus, used by scripts/bench against a running
//! release build.
//!
//! It opens `--streams` menu streams of the first pizzeria, then, `--changes` times, counts the
//! basil so that the number of Margheritas left changes ("plus que N"), and times each change
//! from its commit to its arrival on every stream. `--origin other`: the count is written by
//! this separate process (the app hears of it at its next poll); `--origin here`: the demo
//! manager applies it through the app's inventory page, timed from the moment the form is sent.
//! With `--pid` (the app's process) and `--idle N`, it first reports the app's CPU ticks over
//! N seconds with the streams open and nothing happening.
//!
//! cargo run --release --features mysql --example live_latency -- \
//!     --base http://127.0.0.1:8000 --db var/bench.db --streams 200 --changes 20

use futures_util::StreamExt;
use std::time::{Duration, Instant};

#[path = "support/sign_in.rs"]
mod sign_in;
mod support;

/// One `product-<id>` event of a stream: when it came and what it says.
struct Seen {
    at: Instant,
    data: String,
}

/// Reads a menu stream and keeps the events of one product, until `wanted` have come.
async fn watch(base: String, pizzeria: i64, product: i64, wanted: usize) -> Vec<Seen> {
    let res = reqwest::Client::new()
        .get(format!("{base}/pizzerias/{pizzeria}/events"))
        .send()
        .await
        .expect("stream opens");
    let name = format!("product-{product}");
    let mut body = res.bytes_stream();
    let (mut buffer, mut seen, mut current) = (String::new(), Vec::new(), false);
    while seen.len() < wanted {
        let Some(Ok(chunk)) = body.next().await else {
            break;
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let line = line.trim_end();
            if let Some(event) = line.strip_prefix("event:") {
                current = event.trim() == name;
            } else if let (true, Some(data)) = (current, line.strip_prefix("data:")) {
                seen.push(Seen {
                    at: Instant::now(),
                    data: data.to_string(),
                });
                current = false;
            }
        }
    }
    seen
}

#[tokio::main]
async fn main() {
    let f = support::flags(&[
        ("base", "http://127.0.0.1:8000"),
        ("db", "var/ocpizza.db"),
        ("streams", "200"),
        ("changes", "20"),
        ("origin", "other"),
        ("pid", "0"),
        ("idle", "0"),
    ]);
    let streams: usize = f["streams"].parse().expect("--streams N");
    let changes: usize = f["changes"].parse().expect("--changes N");
    let pool = ocpizza::db::connect(&f["db"], 2).expect("database");
    let mut c = pool.get().unwrap();
    let m = support::prepare(&mut c);
    support::allow_margheritas(&mut c, &m, 5);
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The first event of each stream is the state when it opened; then one per change.
    let watchers: Vec<_> = (0..streams)
        .map(|_| {
            tokio::spawn(watch(
                f["base"].clone(),
                m.pizzeria.0,
                m.product,
                changes + 1,
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (pid, idle): (u32, u64) = (f["pid"].parse().unwrap(), f["idle"].parse().unwrap());
    if pid > 0 && idle > 0 {
        let before = cpu_ticks(pid);
        tokio::time::sleep(Duration::from_secs(idle)).await;
        let ticks = cpu_ticks(pid) - before;
        println!("app CPU ticks in {idle} s, {streams} streams open, nothing changing: {ticks}");
    }
    let here = match f["origin"].as_str() {
        "here" => Some(Manager::sign_in(&f["base"], m.pizzeria.0).await),
        "other" => None,
        other => panic!("--origin here|other, not {other}"),
    };
    // 5 → 1 → 5 → …: every change moves the "plus que N" the menu shows.
    let mut committed = Vec::new();
    for k in 0..changes {
        let n = [4, 3, 2, 1, 2, 3, 4, 5][k % 8];
        match &here {
            Some(manager) => committed.push((manager.count(&mut c, &m, n).await, n)),
            None => {
                support::allow_margheritas(&mut c, &m, n);
                committed.push((Instant::now(), n));
            }
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let (latencies, wrong, missing) = gather(watchers, &committed, changes).await;
    let origin = if here.is_some() {
        "made here, by the manager's inventory"
    } else {
        "made by another process"
    };
    report(origin, streams, changes, &latencies, wrong, missing);
}

/// The user and system CPU time of a process so far, in clock ticks (/proc/<pid>/stat).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the app's process");
    // The fields after the command's name (in parentheses, which may hold spaces).
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The demo manager of the first pizzeria, signed in on its inventory page.
struct Manager {
    client: reqwest::Client,
    csrf: String,
    url: String,
}

impl Manager {
    async fn sign_in(base: &str, pizzeria: i64) -> Manager {
        let page = format!("/staff/{pizzeria}/stock/count");
        let (client, csrf, _) = sign_in::sign_in(base, "manager", "bastille", &page).await;
        let url = format!("{base}{page}");
        Manager { client, csrf, url }
    }

    /// Applies a count of the basil that leaves exactly `n` Margheritas to make: when the form
    /// was sent.
    async fn count(&self, c: &mut ocpizza::db::DbConn, m: &support::Margherita, n: i64) -> Instant {
        let level = ocpizza::models::stock::level(c, m.pizzeria, m.basil)
            .unwrap()
            .unwrap();
        let grams = (level.reserved + n * support::BASIL_PER_PIZZA).to_string();
        let field = format!("counted[{}]", m.basil.0);
        let form = [
            ("csrf_token", self.csrf.as_str()),
            (field.as_str(), grams.as_str()),
            ("action", "apply"),
        ];
        let at = Instant::now();
        let res = self
            .client
            .post(&self.url)
            .header("Sec-Fetch-Site", "same-origin")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "the count is applied");
        at
    }
}

type Watcher = tokio::task::JoinHandle<Vec<Seen>>;

/// Each stream's events after the first, against the changes committed: (latencies, events
/// with a wrong count, events missing).
async fn gather(
    watchers: Vec<Watcher>,
    committed: &[(Instant, i64)],
    changes: usize,
) -> (Vec<Duration>, usize, usize) {
    let (mut latencies, mut wrong, mut missing) = (Vec::new(), 0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    for w in watchers {
        let seen = tokio::time::timeout_at(deadline, w)
            .await
            .map(|r| r.unwrap())
            .unwrap_or_default();
        missing += (changes + 1).saturating_sub(seen.len());
        for (event, (at, n)) in seen.iter().skip(1).zip(committed) {
            if !event.data.contains(&format!("Plus que {n}")) {
                wrong += 1;
            }
            latencies.push(event.at.saturating_duration_since(*at));
        }
    }
    latencies.sort();
    (latencies, wrong, missing)
}

fn report(
    origin: &str,
    streams: usize,
    changes: usize,
    latencies: &[Duration],
    wrong: usize,
    missing: usize,
) {
    println!("streams                  {streams}");
    println!("stock changes            {changes} ({origin})");
    println!("events received          {}", latencies.len());
    println!("events missing           {missing}");
    println!("events with wrong count  {wrong}");
    if !latencies.is_empty() {
        println!(
            "commit to browser p50 / p99 / max  {:.0} / {:.0} / {:.0} ms",
            support::percentile(latencies, 0.5),
            support::percentile(latencies, 0.99),
            support::percentile(latencies, 1.0)
        );
    }
    if missing > 0 || wrong > 0 {
        eprintln!("live benchmark found missing or wrong events");
        std::process::exit(1);
    }
}
