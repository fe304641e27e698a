//! Live updates across processes. Stock changes and order events are rows with increasing ids:
//! each process runs one tailer that reads new rows every few hundred milliseconds and fans them
//! out to its own SSE subscribers. Two small queries per process per tick, whatever the number
//! of browsers (plus one menu computation per pizzeria whose stock changed).

use crate::domain::ids::{OrderId, PizzeriaId};
use crate::models::{menu, order, stock};
use crate::state::Db;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
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

/// Rows seen at the end of an append-only table. Ids are given at insert time but become
/// visible at commit, so on MySQL a lower id can appear after a higher one. The window keeps the
/// highest id seen and the ids skipped below it (gaps): each tick asks for the rows above the
/// highest id and for the gaps, so an idle tick reads nothing. A gap that stays empty (a rolled
/// back insert) is given up after `GAP_PATIENCE`.
#[derive(Debug, Default)]
pub struct Window {
    high: i64,
    gaps: BTreeMap<i64, Instant>,
}

/// Longer than any write transaction of the application (MySQL gives up a lock wait at 50 s).
const GAP_PATIENCE: Duration = Duration::from_secs(60);
/// A bound for pathological cases only: refused checkouts roll back their ledger rows, so a
/// sold-out rush leaves many gaps, and the oldest of them may be the row of a transaction still
/// waiting for its locks. Gaps are given up by age, and by count only past this.
const MAX_GAPS: usize = 20_000;
const BATCH: i64 = 5_000;
/// At start, the ids this far below the newest one that are missing are watched as gaps: a
/// transaction may have taken them and not yet committed.
const START_LOOKBACK: i64 = 1_000;

impl Window {
    /// `present`: the ids above `high - START_LOOKBACK` that exist.
    fn starting_at(high: i64, present: &[i64], now: Instant) -> Self {
        let mut gaps: BTreeMap<i64, Instant> = ((high - START_LOOKBACK).max(0) + 1..high)
            .map(|id| (id, now))
            .collect();
        for id in present {
            gaps.remove(id);
        }
        Window { high, gaps }
    }

    fn high(&self) -> i64 {
        self.high
    }

    fn gaps(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Keeps the keys of the rows not seen before.
    fn fresh(&mut self, mut rows: Vec<(i64, i64)>, now: Instant) -> BTreeSet<i64> {
        rows.sort_unstable();
        let mut keys = BTreeSet::new();
        for (id, key) in rows {
            if id > self.high {
                let skipped_from = (self.high + 1).max(id - MAX_GAPS as i64);
                for missing in skipped_from..id {
                    self.gaps.insert(missing, now);
                }
                self.high = id;
                keys.insert(key);
            } else if self.gaps.remove(&id).is_some() {
                keys.insert(key);
            }
        }
        self.gaps
            .retain(|_, noticed| now.duration_since(*noticed) < GAP_PATIENCE);
        while self.gaps.len() > MAX_GAPS {
            self.gaps.pop_first();
        }
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
            let now = Instant::now();
            let (stock_high, orders_high) = (stock::last_movement_id(c)?, order::last_event_id(c)?);
            let stock_ids: Vec<i64> =
                stock::movements_since(c, stock_high - START_LOOKBACK, &[], START_LOOKBACK)?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
            let order_ids: Vec<i64> =
                order::events_since(c, orders_high - START_LOOKBACK, &[], START_LOOKBACK)?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
            Ok(Cursor {
                stock: Window::starting_at(stock_high, &stock_ids, now),
                orders: Window::starting_at(orders_high, &order_ids, now),
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

/// Every this many ticks (about ten minutes at 250 ms), expired sessions, old login attempts and
/// old checkout keys are deleted.
const HOUSEKEEPING_EVERY: u64 = 2_400;

async fn housekeeping(db: &Db) {
    let cleaned = db
        .run(|c| -> diesel::QueryResult<usize> {
            let now = crate::models::now();
            Ok(crate::models::session::delete_expired(c, now)?
                + crate::services::accounts::forget_attempts(c, now)?
                + crate::services::orders::forget_checkout_keys(c, now)?)
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
    let (stock_high, stock_gaps) = (cursor.stock.high(), cursor.stock.gaps());
    let (orders_high, orders_gaps) = (cursor.orders.high(), cursor.orders.gaps());
    let read = db
        .run(move |c| -> diesel::QueryResult<_> {
            Ok((
                stock::movements_since(c, stock_high, &stock_gaps, BATCH)?,
                order::events_since(c, orders_high, &orders_gaps, BATCH)?,
            ))
        })
        .await;
    let (stock_rows, order_rows) = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return Err((e.to_string(), cursor)),
        Err(e) => return Err((e.to_string(), cursor)),
    };
    let mut cursor = cursor;
    let now = Instant::now();
    let pizzerias = cursor.stock.fresh(stock_rows, now);
    let orders = cursor.orders.fresh(order_rows, now);
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
        let t = Instant::now();
        let mut w = Window::starting_at(10, &(1..=10).collect::<Vec<_>>(), t);
        assert!(w.gaps().is_empty());
        assert_eq!(w.fresh(vec![(11, 1), (13, 2)], t), BTreeSet::from([1, 2]));
        assert_eq!(w.gaps(), vec![12]);
        // 12 commits after 13 was seen: asked for as a gap, forwarded once.
        assert_eq!(w.fresh(vec![(12, 3)], t), BTreeSet::from([3]));
        assert!(w.gaps().is_empty());
        assert_eq!(w.fresh(vec![(12, 3)], t), BTreeSet::new());
        assert_eq!(w.high(), 13);
    }

    #[test]
    fn a_gap_that_never_fills_is_given_up() {
        let t = Instant::now();
        let mut w = Window::starting_at(0, &[], t);
        w.fresh(vec![(1, 1), (3, 1)], t);
        assert_eq!(w.gaps(), vec![2]);
        w.fresh(vec![], t + GAP_PATIENCE);
        assert!(w.gaps().is_empty());
    }

    #[test]
    fn a_large_jump_remembers_only_the_newest_gaps() {
        let t = Instant::now();
        let mut w = Window::starting_at(0, &[], t);
        w.fresh(vec![(50_000, 1)], t);
        let gaps = w.gaps();
        assert_eq!(gaps.len(), MAX_GAPS);
        assert_eq!(gaps.last(), Some(&49_999));
    }

    #[test]
    fn a_row_in_flight_when_the_process_starts_is_still_forwarded() {
        let t = Instant::now();
        // Rows 1 to 10 exist but 8: its transaction has not committed yet.
        let present: Vec<i64> = (1..=10).filter(|id| *id != 8).collect();
        let mut w = Window::starting_at(10, &present, t);
        assert_eq!(w.gaps(), vec![8]);
        assert_eq!(w.fresh(vec![(8, 4)], t), BTreeSet::from([4]));
    }
}
