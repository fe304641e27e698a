//! Deletes what no longer serves (expired sessions, old login attempts, old checkout keys),
//! every `housekeeping.interval_s` (`OCPIZZA_HOUSEKEEPING__INTERVAL_S`).

use crate::db::Db;
use crate::services::housekeeping;
use std::future::Future;
use std::time::Duration;

/// Runs until `shutdown` resolves; the first run comes one interval after the start.
pub async fn run(db: Db, every: Duration, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {},
            _ = &mut shutdown => return,
        }
        match db.run(housekeeping::clean_now).await {
            Ok(Ok(cleaned)) => tracing::debug!(?cleaned, "housekeeping done"),
            Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}
