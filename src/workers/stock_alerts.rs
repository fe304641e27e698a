//! The low-stock check (`services::stock::alerts`): once for every pizzeria at start, then for
//! each pizzeria whose stock moved, as soon as the live tailer has seen it move.

use crate::db::Db;
use crate::domain::ids::PizzeriaId;
use crate::live::Hub;
use crate::services::stock::alerts;
use std::future::Future;

/// Runs until `shutdown` resolves.
pub async fn run(db: Db, hub: Hub, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    match db.run(alerts::pizzerias).await {
        Ok(Ok(all)) => all.into_iter().for_each(|p| hub.stock_moved(p)),
        Ok(Err(e)) => tracing::warn!(error = %e, "low-stock check cannot list the pizzerias"),
        Err(e) => tracing::warn!(error = %e, "low-stock check cannot list the pizzerias"),
    }
    loop {
        let moved = tokio::select! {
            moved = hub.next_moved() => moved,
            _ = &mut shutdown => return,
        };
        for p in moved {
            check(&db, p).await;
        }
    }
}

async fn check(db: &Db, p: PizzeriaId) {
    match db.run(move |c| alerts::check(c, p)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(pizzeria = %p, ingredients = n, "low-stock alert queued"),
        // Tried again at the next change of this pizzeria's stock.
        Ok(Err(e)) => tracing::warn!(error = %e, pizzeria = %p, "low-stock check failed"),
        Err(e) => tracing::warn!(error = %e, pizzeria = %p, "low-stock check failed"),
    }
}
