//! Live updates across processes. Stock changes and order events are rows with increasing ids:
//! each process runs one tailer that reads new rows every few hundred milliseconds and fans them
//! out to its own SSE subscribers. Three small queries per process per tick, whatever the number
//! of browsers (plus one menu computation per pizzeria whose stock changed).

pub mod floor_cache;
pub mod menu_cache;
pub mod shared_html;
mod window;

use crate::db::Db;
use crate::domain::ids::{OrderId, PizzeriaId};
use crate::models::{menu, menu_change, order, stock};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use window::{Window, BATCH, START_LOOKBACK};

#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The makeable counts of a pizzeria's menu, computed once per change for all subscribers,
    /// and the fragments they bring to open menus, each rendered by the first stream that needs
    /// it for all the others.
    Stock {
        pizzeria: PizzeriaId,
        counts: Arc<menu::Counts>,
        fragments: Arc<shared_html::Fragments>,
    },
    /// Something happened to an order (status change, modification): its pages re-render it
    /// from the database. It names its pizzeria, so a pizzeria's screens filter without a query.
    Order {
        order: OrderId,
        pizzeria: PizzeriaId,
    },
}

impl LiveEvent {
    pub fn pizzeria(&self) -> PizzeriaId {
        match self {
            LiveEvent::Stock { pizzeria, .. } | LiveEvent::Order { pizzeria, .. } => *pizzeria,
        }
    }
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveEvent>,
    /// Menus as last read, marked out of date by the tailer when their stock moves.
    pub menus: Arc<menu_cache::MenuCache>,
    /// Each pizzeria's floor (open orders) as last read, marked out of date by its order events.
    pub floors: Arc<floor_cache::FloorCache>,
    /// Wakes the tailer at once after a local commit (instead of at its next tick).
    wake: Arc<tokio::sync::Notify>,
    /// Pizzerias whose stock moved, for the low-stock check (whether anybody watches or not).
    moved: Arc<std::sync::Mutex<std::collections::BTreeSet<PizzeriaId>>>,
    moved_wake: Arc<tokio::sync::Notify>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(1024).0,
            menus: Arc::default(),
            floors: Arc::default(),
            wake: Arc::default(),
            moved: Arc::default(),
            moved_wake: Arc::default(),
        }
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// How many listen: every open live stream, and the workers of this process that do.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }

    fn publish(&self, event: LiveEvent) {
        // No subscriber is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Something was just committed here: the tailer reads it now rather than at its tick.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// An order of this pizzeria was just changed here: this process's floor screens and menu
    /// read it again (its stock may have moved: a page asked for after this shows it), and
    /// every process hears of it now rather than at the tailer's next tick.
    pub fn order_changed(&self, p: PizzeriaId) {
        self.floors.forget(p);
        self.menus.forget(p);
        self.poke();
    }

    /// This pizzeria's stock or menu was just changed here: its menu is read again for the
    /// next page, and every process hears of it now.
    pub fn stock_changed(&self, p: PizzeriaId) {
        self.menus.forget(p);
        self.poke();
    }

    /// The stock of this pizzeria moved (told by the tailer, or by a change made here that
    /// writes no ledger row, such as a new threshold).
    pub fn stock_moved(&self, p: PizzeriaId) {
        self.moved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p);
        self.moved_wake.notify_one();
    }

    /// Waits until some pizzeria's stock moved, and takes the list.
    pub async fn next_moved(&self) -> Vec<PizzeriaId> {
        loop {
            let taken = std::mem::take(&mut *self.moved.lock().unwrap_or_else(|e| e.into_inner()));
            if !taken.is_empty() {
                return taken.into_iter().collect();
            }
            self.moved_wake.notified().await;
        }
    }

    fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }
}

/// The stock ledger and order events already fanned out.
#[derive(Debug, Default)]
struct Cursor {
    stock: Window,
    orders: Window,
    /// Menu switches: they change what every open menu of their pizzeria offers.
    menus: Window,
}

/// Where the tailer starts: the newest rows, watching the missing ids just below them.
async fn start_cursor(db: &Db) -> Result<Cursor, String> {
    let read = db.run(|c| -> diesel::QueryResult<Cursor> {
        let now = Instant::now();
        let (stock_high, orders_high) = (stock::last_movement_id(c)?, order::last_event_id(c)?);
        let menus_high = menu_change::last_change_id(c)?;
        let menu_ids: Vec<i64> =
            menu_change::changes_since(c, menus_high - START_LOOKBACK, &[], START_LOOKBACK)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
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
            menus: Window::starting_at(menus_high, &menu_ids, now),
        })
    });
    match read.await {
        Ok(Ok(cursor)) => Ok(cursor),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
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
        match start_cursor(&db).await {
            Ok(cursor) => break cursor,
            Err(e) => tracing::warn!(error = %e, "live tailer cannot read the ledger yet"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every * 4) => {},
            _ = &mut shutdown => return,
        }
    };
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {},
            _ = hub.wake.notified() => {},
            _ = &mut shutdown => return,
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

type NewRows = (
    Vec<(i64, PizzeriaId)>,
    Vec<(i64, (OrderId, PizzeriaId))>,
    Vec<(i64, PizzeriaId)>,
);

async fn tick(db: &Db, hub: &Hub, cursor: Cursor) -> Result<Cursor, (String, Cursor)> {
    let watching = hub.has_subscribers();
    let (stock_high, stock_gaps) = (cursor.stock.high(), cursor.stock.gaps());
    let (orders_high, orders_gaps) = (cursor.orders.high(), cursor.orders.gaps());
    let (menus_high, menus_gaps) = (cursor.menus.high(), cursor.menus.gaps());
    let read = db
        .run(move |c| -> diesel::QueryResult<NewRows> {
            Ok((
                stock::movements_since(c, stock_high, &stock_gaps, BATCH)?,
                order::events_since(c, orders_high, &orders_gaps, BATCH)?,
                menu_change::changes_since(c, menus_high, &menus_gaps, BATCH)?,
            ))
        })
        .await;
    let (stock_rows, order_rows, menu_rows) = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return Err((e.to_string(), cursor)),
        Err(e) => return Err((e.to_string(), cursor)),
    };
    let mut cursor = cursor;
    let now = Instant::now();
    let mut pizzerias = cursor.stock.fresh(stock_rows, now);
    let orders = cursor.orders.fresh(order_rows, now);
    for p in &pizzerias {
        hub.stock_moved(*p);
    }
    pizzerias.extend(cursor.menus.fresh(menu_rows, now));
    for p in &pizzerias {
        hub.menus.forget(*p);
    }
    for (_, pizzeria) in &orders {
        hub.floors.forget(*pizzeria);
    }
    if watching {
        for (order, pizzeria) in orders {
            hub.publish(LiveEvent::Order { order, pizzeria });
        }
        publish_stock(db, hub, pizzerias).await;
    }
    Ok(cursor)
}

/// The new makeable counts of each pizzeria whose stock moved, computed once for everybody.
async fn publish_stock(db: &Db, hub: &Hub, pizzerias: impl IntoIterator<Item = PizzeriaId>) {
    for pizzeria in pizzerias {
        match db.run(move |c| menu::counts(c, pizzeria)).await {
            Ok(Ok(counts)) => hub.publish(LiveEvent::Stock {
                pizzeria,
                counts: Arc::new(counts),
                fragments: Arc::default(),
            }),
            Ok(Err(e)) => tracing::warn!(error = %e, "live tailer cannot read the menu"),
            Err(e) => tracing::warn!(error = %e, "live tailer cannot read the menu"),
        }
    }
}
