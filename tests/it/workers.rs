//! Background workers: started by the application, stopped by its shutdown.

use crate::each_backend;
use crate::harness::TestApp;
use diesel::prelude::*;
use ocpizza::db::schema::{idempotency_keys, login_attempts, sessions};
use ocpizza::db::Db;
use ocpizza::models::now;
use std::time::Duration;

/// Rows the housekeeping must delete (`old`) or keep (`fresh`): sessions, login attempts and
/// checkout keys.
fn plant(
    c: &mut ocpizza::db::DbConn,
    label: &str,
    age: chrono::Duration,
    expires: chrono::Duration,
) {
    let t = now() - age;
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(format!("{:0>64}", label)),
            sessions::data.eq("{}"),
            sessions::created_at.eq(t),
            sessions::last_seen_at.eq(t),
            sessions::expires_at.eq(now() + expires),
        ))
        .execute(c)
        .unwrap();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email.eq(format!("{label}@example.fr")),
            login_attempts::ip.eq("127.0.0.1"),
            login_attempts::succeeded.eq(false),
            login_attempts::created_at.eq(t),
        ))
        .execute(c)
        .unwrap();
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq("checkout"),
            idempotency_keys::idem_key.eq(label),
            idempotency_keys::created_at.eq(t),
        ))
        .execute(c)
        .unwrap();
}

fn counts(c: &mut ocpizza::db::DbConn) -> (i64, i64, i64) {
    (
        sessions::table.count().get_result(c).unwrap(),
        login_attempts::table.count().get_result(c).unwrap(),
        idempotency_keys::table.count().get_result(c).unwrap(),
    )
}

each_backend! {
    async fn housekeeping_deletes_what_no_longer_serves_and_keeps_the_rest(db) {
        let app = TestApp::serve_configured(db, true, &[("housekeeping.interval_s", serde_json::json!(1))], |r| r).await;
        app.with_conn(|c| {
            plant(c, "old", chrono::Duration::days(3), chrono::Duration::minutes(-1));
            plant(c, "fresh", chrono::Duration::minutes(5), chrono::Duration::days(30));
        })
        .await;
        assert_eq!(app.with_conn(counts).await, (2, 2, 2));
        // The worker runs every second: wait for its next run, at most ten.
        let mut left = app.with_conn(counts).await;
        for _ in 0..100 {
            if left == (1, 1, 1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = app.with_conn(counts).await;
        }
        assert_eq!(left, (1, 1, 1), "one of each deleted, the fresh ones kept");
        let kept: String = app.with_conn(|c| idempotency_keys::table.select(idempotency_keys::idem_key).first(c).unwrap()).await;
        assert_eq!(kept, "fresh");
    }

    async fn a_worker_stops_when_the_server_shuts_down(db) {
        let app = TestApp::with_demo(db).await;
        let handle = Db::new(app.pool.clone(), ocpizza::db::backend(&app.pool.get().unwrap()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(ocpizza::workers::housekeeping::run(handle, Duration::from_secs(3600), async {
            let _ = stopped.await;
        }));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), worker).await.expect("the worker stops at once").unwrap();
    }
}
