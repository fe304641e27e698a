//! Backup drills, with `ocpizza backup` and `ocpizza restore` as the operator runs them: on
//! MariaDB, demo data and orders are backed up, wiped and restored to the same rows; on SQLite,
//! the backup is taken while orders are being placed and restores a consistent database. Either
//! way the app then serves the restored data.

use crate::cli::{ocpizza, stderr, stdout};
use crate::customer::Customer;
use crate::fixtures;
use crate::harness::{TestApp, TestDb};
use diesel::prelude::*;
use ocpizza::db::schema::{ingredients, orders};
use ocpizza::domain::ids::{IngredientId, PizzeriaId};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Every ingredient of pizzeria `p` plentiful: orders never run out during a drill.
fn plenty(conn: &mut ocpizza::db::DbConn, p: PizzeriaId) {
    let all: Vec<i64> = ingredients::table
        .select(ingredients::id)
        .load(conn)
        .unwrap();
    for id in all {
        fixtures::set_stock(conn, p, IngredientId(id), 1_000_000);
    }
}

async fn shop_with_orders(db: Arc<TestDb>, n: usize) -> (TestApp, PizzeriaId, Vec<String>) {
    let app = TestApp::with_demo(db).await;
    let (p, margherita) = app
        .with_conn(|c| {
            fixtures::open_all_day(c);
            let p = fixtures::pizzeria(c, "bastille");
            plenty(c, p);
            (p, fixtures::product(c, "Margherita"))
        })
        .await;
    let mut tokens = Vec::new();
    for _ in 0..n {
        tokens.push(place(&app, p, margherita.0).await);
    }
    (app, p, tokens)
}

async fn place(app: &TestApp, p: PizzeriaId, product: i64) -> String {
    let mut c = Customer::new(app).await;
    c.add(p.0, product, 2).await;
    let placed = c.checkout().await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    Customer::token_of(&placed)
}

/// The one backup file `ocpizza backup` wrote into `dir`.
fn written(dir: &Path, ext: &str) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

fn backup(url: &str, dir: &Path) -> PathBuf {
    let out = ocpizza(url, &["backup", "--dir", &dir.display().to_string()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("backup written: "),
        "{}",
        stdout(&out)
    );
    let ext = if url.starts_with("mysql://") {
        ".sql.gz"
    } else {
        ".sqlite.gz"
    };
    let file = written(dir, ext);
    let check = std::process::Command::new("sha256sum")
        .arg("--check")
        .arg(format!(
            "{}.sha256",
            file.file_name().unwrap().to_string_lossy()
        ))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "sha256sum -c agrees: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    file
}

fn restore(url: &str, file: &Path, force: bool) -> std::process::Output {
    let mut args = vec!["restore".to_string(), file.display().to_string()];
    if force {
        args.push("--force".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ocpizza(url, &args, &[])
}

async fn serves_order(db: Arc<TestDb>, token: &str) {
    let app = TestApp::serve(db, false).await;
    let (status, body) = app.get(&format!("/orders/{token}")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Margherita"), "{body}");
}

#[cfg(feature = "mysql")]
mod mariadb {
    use super::*;

    /// `mariadb` (or `mysql`) on the test database: its output lines.
    fn sql(url: &str, query: &str) -> Vec<String> {
        let u = url::Url::parse(url).unwrap();
        let client = if Path::new("/usr/bin/mariadb").exists() {
            "mariadb"
        } else {
            "mysql"
        };
        let out = std::process::Command::new(client)
            .args([
                "-h",
                u.host_str().unwrap(),
                "-P",
                &u.port().unwrap_or(3306).to_string(),
                "-u",
                u.username(),
            ])
            .args(["-N", "-B", "-e", query, u.path().trim_start_matches('/')])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Each table with its row count and its checksum.
    fn census(url: &str) -> Vec<String> {
        let tables = sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name");
        tables
            .iter()
            .map(|t| {
                let rows = sql(url, &format!("SELECT COUNT(*) FROM `{t}`"));
                let sum = sql(url, &format!("CHECKSUM TABLE `{t}`"));
                format!("{t} {} {}", rows[0], sum[0].split('\t').nth(1).unwrap())
            })
            .collect()
    }

    fn an_empty_database_is_not_backed_up(url: &str, dir: &Path) {
        let out = ocpizza(url, &["backup", "--dir", &dir.display().to_string()], &[]);
        assert_eq!(out.status.code(), Some(2));
        let said = stderr(&out);
        assert!(
            said.contains("backup FAILED: the backup is not complete: the dump holds no table"),
            "{said}"
        );
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "nothing left of a failed backup"
        );
    }

    /// A damaged file is refused before anything is touched.
    fn a_damaged_file_is_refused(file: &Path, url: &str) {
        let mut bytes = std::fs::read(file).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x55;
        std::fs::write(file, bytes).unwrap();
        let damaged = restore(url, file, true);
        assert_eq!(damaged.status.code(), Some(2));
        assert!(
            stderr(&damaged).contains("does not match"),
            "{}",
            stderr(&damaged)
        );
        assert!(sql(url, "SHOW TABLES").is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_backup_wiped_and_restored_gives_back_every_row_and_the_app_serves_it() {
        let Some(db) = TestDb::mysql() else {
            return eprintln!("MariaDB drill not run: OCPIZZA_TEST_MYSQL_URL is not set");
        };
        let dir = tempfile::tempdir().unwrap();
        let empty = TestDb::mysql().unwrap();
        an_empty_database_is_not_backed_up(&empty.url, dir.path());

        let (app, _, tokens) = shop_with_orders(db.clone(), 3).await;
        crate::mail::drained(&app.pool).await;
        drop(app);
        let url = db.url.clone();
        let before = census(&url);
        assert!(
            before.iter().any(|t| t.starts_with("orders 3 ")),
            "{before:?}"
        );
        let file = tokio::task::spawn_blocking({
            let (url, dir) = (url.clone(), dir.path().to_path_buf());
            move || backup(&url, &dir)
        })
        .await
        .unwrap();

        let refused = restore(&url, &file, false);
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            stderr(&refused).contains("the database already holds")
                && stderr(&refused).contains("table(s)"),
            "{}",
            stderr(&refused)
        );

        let tables = sql(&url, "SELECT GROUP_CONCAT(CONCAT('`', table_name, '`')) FROM information_schema.tables WHERE table_schema = DATABASE()");
        sql(
            &url,
            &format!("SET FOREIGN_KEY_CHECKS = 0; DROP TABLE {}", tables[0]),
        );
        assert!(sql(&url, "SHOW TABLES").is_empty(), "wiped");
        let restored = restore(&url, &file, false);
        assert!(restored.status.success(), "{}", stderr(&restored));
        assert_eq!(census(&url), before, "the same rows, table by table");
        serves_order(db, &tokens[2]).await;

        a_damaged_file_is_refused(&file, &empty.url);
    }
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

/// Three customers ordering until `stop`; each says how many orders it placed.
fn keep_ordering(
    app: &Arc<TestApp>,
    p: PizzeriaId,
    product: i64,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<usize>> {
    (0..3)
        .map(|_| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let mut placed = 0;
                while !stop.load(Ordering::Relaxed) {
                    place(&app, p, product).await;
                    placed += 1;
                }
                placed
            })
        })
        .collect()
}

/// A restored database is whole: every order with its lines and events, no dangling row.
/// The token of its last order.
fn whole(conn: &mut SqliteConnection) -> String {
    let orphans = "SELECT COUNT(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id) \
        OR NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id)";
    assert_eq!(
        count(conn, orphans),
        0,
        "every order whole: its lines and its events"
    );
    let fk = diesel::sql_query("PRAGMA foreign_key_check")
        .execute(conn)
        .unwrap();
    assert_eq!(fk, 0, "no row points at a missing one");
    orders::table
        .select(orders::token)
        .order(orders::id.desc())
        .first(conn)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sqlite_backup_taken_while_orders_are_placed_restores_a_consistent_database() {
    let db = TestDb::sqlite();
    let (app, p, _) = shop_with_orders(db.clone(), 1).await;
    let margherita = app.with_conn(|c| fixtures::product(c, "Margherita")).await;
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let writers = keep_ordering(&app, p, margherita.0, &stop);
    let count_orders = || app.with_conn(|c| orders::table.count().get_result::<i64>(c).unwrap());
    while count_orders().await < 6 {
        tokio::task::yield_now().await;
    }
    let dir = tempfile::tempdir().unwrap();
    let at_start = count_orders().await;
    let file = tokio::task::spawn_blocking({
        let (url, dir) = (db.url.clone(), dir.path().to_path_buf());
        move || backup(&url, &dir)
    })
    .await
    .unwrap();
    let at_end = count_orders().await;
    stop.store(true, Ordering::Relaxed);
    let mut during = 0;
    for w in writers {
        during += w.await.unwrap();
    }
    assert!(
        at_end > at_start,
        "orders were placed during the backup ({at_start} → {at_end})"
    );

    let target = TestDb::sqlite();
    let out = restore(&target.url, &file, false);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut conn = SqliteConnection::establish(&target.url).unwrap();
    let restored = count(&mut conn, "SELECT COUNT(*) AS n FROM orders");
    assert!(
        (at_start..=at_end).contains(&restored),
        "{at_start} ≤ {restored} ≤ {at_end} ({during} placed)"
    );
    let token = whole(&mut conn);
    drop(conn);
    let again = restore(&target.url, &file, true);
    assert!(
        again.status.success(),
        "--force replaces a database: {}",
        stderr(&again)
    );
    serves_order(target, &token).await;
}

/// Files made `age` old (`touch -d "20 days ago"`).
fn aged(files: &[(&PathBuf, &str)]) {
    for (file, age) in files {
        std::fs::write(file, b"x").unwrap();
        let touched = std::process::Command::new("touch")
            .args(["-d", age])
            .arg(file)
            .status()
            .unwrap();
        assert!(touched.success());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backups_older_than_the_days_kept_go_and_each_new_one_is_copied_to_the_backup_host() {
    let db = TestDb::sqlite();
    drop(TestApp::with_demo(db.clone()).await);
    let (dir, host) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let old = dir.path().join("ocpizza-sqlite-20261101-040000Z.sqlite.gz");
    let recent = dir.path().join("ocpizza-sqlite-20261125-040000Z.sqlite.gz");
    let other = dir.path().join("notes.txt");
    aged(&[
        (&old, "20 days ago"),
        (&recent, "7 days ago"),
        (&other, "40 days ago"),
    ]);
    let dest = format!("{}/", host.path().display());
    let folder = dir.path().display().to_string();
    let line = format!("backup --dir {folder} --keep-days 14 --copy-to {dest}");
    let out = tokio::task::spawn_blocking({
        let url = db.url.clone();
        move || ocpizza(&url, &line.split(' ').collect::<Vec<_>>(), &[])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 old backup(s) removed; copied to"),
        "{}",
        stdout(&out)
    );
    assert!(
        !old.exists() && recent.exists() && other.exists(),
        "only our backups past 14 days go"
    );
    let mut copied: Vec<String> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    copied.sort();
    assert_eq!(copied.len(), 2, "{copied:?}");
    assert!(
        copied[0].ends_with(".sqlite.gz") && copied[1] == format!("{}.sha256", copied[0]),
        "{copied:?}"
    );
}
