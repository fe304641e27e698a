//! Live updates across processes. Stock changes and order events are rows with increasing ids:
//! each process runs one tailer that reads new rows every few hundred milliseconds and fans them
//! out to its own SSE subscribers. Two small queries per process per tick, whatever the number
//! of browsers (plus one menu computation per pizzeria whose stock changed).

use crate::domain::ids::{OrderId, PizzeriaId};
use crate::models::{menu, order, stock};
use crate::state::Db;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

pub mod menu_cache;

#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The makeable counts of a pizzeria's menu, computed once per change for all subscribers.
    Stock {
        pizzeria: PizzeriaId,
        counts: Arc<menu::Counts>,
    },
    /// Something happened to an order (status change, modification): its pages re-render it
    /// from the database.
    Order { order: OrderId },
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveEvent>,
    /// Menus as last read, dropped by the tailer when their stock moves.
    pub menus: Arc<menu_cache::MenuCache>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(1024).0,
            menus: Arc::default(),
        }
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    fn publish(&self, event: LiveEvent) {
        // No subscriber is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }
}

/// Rows seen near the end of an append-only table. Ids are given at insert time but become
/// visible at commit, so on MySQL a lower id can appear after a higher one: each tick reads again
/// from a little below the highest id seen, and forwards only the rows not seen yet.
#[derive(Debug, Default)]
pub struct Window {
    high: i64,
    seen: BTreeSet<i64>,
}

/// How far below the highest id each tick looks again.
const LOOKBACK: i64 = 1_000;
const BATCH: i64 = 5_000;

impl Window {
    fn starting_at(high: i64) -> Self {
        Window {
            high,
            seen: BTreeSet::new(),
        }
    }

    fn from(&self) -> i64 {
        (self.high - LOOKBACK).max(0)
    }

    /// Keeps the keys of the rows not seen before.
    fn fresh(&mut self, rows: Vec<(i64, i64)>) -> BTreeSet<i64> {
        let mut keys = BTreeSet::new();
        for (id, key) in rows {
            if id > self.from() && self.seen.insert(id) {
                keys.insert(key);
                self.high = self.high.max(id);
            }
        }
        let floor = self.from();
        self.seen = self.seen.split_off(&(floor + 1));
        keys
    }
}

/// Runs until `shutdown` resolves.
pub async fn run_tailer(
    db: Db,
    hub: Hub,
    every: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut cursor = loop {
        let start = db.run(|c| -> diesel::QueryResult<Cursor> {
            Ok(Cursor {
                stock: Window::starting_at(stock::last_movement_id(c)?),
                orders: Window::starting_at(order::last_event_id(c)?),
            })
        });
        match start.await {
            Ok(Ok(cursor)) => break cursor,
            other => tracing::warn!(error = ?other.err(), "live tailer cannot read the ledger yet"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every * 4) => {},
            _ = &mut shutdown => return,
        }
    };
    let mut ticks: u64 = 0;
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {},
            _ = &mut shutdown => return,
        }
        ticks += 1;
        if ticks % HOUSEKEEPING_EVERY == 0 {
            housekeeping(&db).await;
        }
        match tick(&db, &hub, cursor).await {
            Ok(next) => cursor = next,
            Err((e, same)) => {
                tracing::warn!(error = %e, "live tailer tick failed");
                cursor = same;
            }
        }
    }
}

/// Every this many ticks (about ten minutes at 250 ms), expired sessions and old login attempts
/// are deleted.
const HOUSEKEEPING_EVERY: u64 = 2_400;

async fn housekeeping(db: &Db) {
    let cleaned = db
        .run(|c| -> diesel::QueryResult<usize> {
            let now = crate::models::now();
            Ok(crate::models::session::delete_expired(c, now)?
                + crate::services::accounts::forget_attempts(c, now)?)
        })
        .await;
    match cleaned {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
        Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
    }
}

/// The stock ledger and order events already fanned out.
#[derive(Debug, Default)]
struct Cursor {
    stock: Window,
    orders: Window,
}

async fn tick(db: &Db, hub: &Hub, cursor: Cursor) -> Result<Cursor, (String, Cursor)> {
    let watching = hub.has_subscribers();
    let (stock_from, orders_from) = (cursor.stock.from(), cursor.orders.from());
    let read = db
        .run(move |c| -> diesel::QueryResult<_> {
            Ok((
                stock::movements_after(c, stock_from, BATCH)?,
                order::events_after(c, orders_from, BATCH)?,
            ))
        })
        .await;
    let (stock_rows, order_rows) = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return Err((e.to_string(), cursor)),
        Err(e) => return Err((e.to_string(), cursor)),
    };
    let mut cursor = cursor;
    let pizzerias = cursor.stock.fresh(stock_rows);
    let orders = cursor.orders.fresh(order_rows);
    for p in &pizzerias {
        hub.menus.forget(PizzeriaId(*p));
    }
    if !watching {
        return Ok(cursor);
    }
    for o in orders {
        hub.publish(LiveEvent::Order { order: OrderId(o) });
    }
    for p in pizzerias {
        let pizzeria = PizzeriaId(p);
        match db.run(move |c| menu::counts(c, pizzeria)).await {
            Ok(Ok(counts)) => hub.publish(LiveEvent::Stock {
                pizzeria,
                counts: Arc::new(counts),
            }),
            other => tracing::warn!(error = ?other.err(), "live tailer cannot read the menu"),
        }
    }
    Ok(cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_committed_late_below_the_highest_id_is_still_forwarded_once() {
        let mut w = Window::starting_at(10);
        assert_eq!(w.fresh(vec![(11, 1), (13, 2)]), BTreeSet::from([1, 2]));
        // 12 commits after 13 was seen; 11 and 13 are read again but not forwarded again.
        assert_eq!(
            w.fresh(vec![(11, 1), (12, 3), (13, 2)]),
            BTreeSet::from([3])
        );
        assert_eq!(w.fresh(vec![(11, 1), (12, 3), (13, 2)]), BTreeSet::new());
    }

    #[test]
    fn rows_far_below_the_window_are_forgotten() {
        let mut w = Window::starting_at(0);
        w.fresh((1..=3000).map(|id| (id, 1)).collect());
        assert!(w.seen.len() as i64 <= LOOKBACK);
        assert_eq!(w.from(), 2000);
    }
}
