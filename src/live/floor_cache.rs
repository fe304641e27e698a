//! Each pizzeria's floor (its open orders, lines and steps) as last read, shared by all its
//! kitchen, driver, counter and tracking screens of this process: after an order event, the
//! first screen to ask reads it once while the others wait for that read instead of making
//! their own. The boards rendered from a floor are kept with it, so that twenty kitchen
//! screens render one board per change.

use super::shared_html::SharedHtml;
use crate::db::Db;
use crate::domain::ids::PizzeriaId;
use crate::models::floor::{self, Floor};
use crate::models::now;
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A floor is read again at least this often, even without events.
const MAX_AGE: Duration = Duration::from_secs(30);
/// Cancelled orders stay on the floor this long (struck through on the kitchen screen).
pub const CANCELLED_SHOWN: i64 = 15;

/// A floor as read, with when.
#[derive(Clone)]
struct Read {
    generation: u64,
    at: Instant,
    floor: Arc<Floor>,
}

/// A board rendered from one floor read, valid until the board changes by itself.
struct Rendered {
    floor: Arc<Floor>,
    valid_until: Option<NaiveDateTime>,
    html: Arc<SharedHtml>,
}

#[derive(Default)]
pub struct FloorCache {
    slots: Mutex<HashMap<PizzeriaId, Arc<tokio::sync::Mutex<Option<Read>>>>>,
    latest: Mutex<HashMap<PizzeriaId, Read>>,
    generations: Mutex<HashMap<PizzeriaId, u64>>,
    rendered: Mutex<HashMap<(PizzeriaId, String), Rendered>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FloorCache {
    /// An order of this pizzeria changed: the next read goes to the database.
    pub fn forget(&self, p: PizzeriaId) {
        *lock(&self.generations).entry(p).or_insert(0) += 1;
    }

    fn generation(&self, p: PizzeriaId) -> u64 {
        lock(&self.generations).get(&p).copied().unwrap_or(0)
    }

    fn slot(&self, p: PizzeriaId) -> Arc<tokio::sync::Mutex<Option<Read>>> {
        lock(&self.slots).entry(p).or_default().clone()
    }

    /// The pizzeria's floor as of its last change, read once per change whatever the number
    /// of screens.
    pub async fn get(&self, db: &Db, p: PizzeriaId) -> Result<Arc<Floor>, String> {
        self.read(db, p, |read, wanted| {
            read.generation == wanted && read.at.elapsed() < MAX_AGE
        })
        .await
    }

    /// The floor as read at most `max_age` ago, changed since or not: for an estimate (the
    /// promise of a new order), which a read per checkout would make dear when orders pour in.
    pub async fn get_recent(
        &self,
        db: &Db,
        p: PizzeriaId,
        max_age: Duration,
    ) -> Result<Arc<Floor>, String> {
        if let Some(read) = lock(&self.latest).get(&p) {
            if read.at.elapsed() < max_age {
                return Ok(read.floor.clone());
            }
        }
        self.read(db, p, |read, _| read.at.elapsed() < max_age)
            .await
    }

    async fn read(
        &self,
        db: &Db,
        p: PizzeriaId,
        usable: impl Fn(&Read, u64) -> bool,
    ) -> Result<Arc<Floor>, String> {
        let slot = self.slot(p);
        let mut slot = slot.lock().await;
        let wanted = self.generation(p);
        if let Some(read) = slot.as_ref().filter(|r| usable(r, wanted)) {
            return Ok(read.floor.clone());
        }
        let since = now() - chrono::Duration::seconds(CANCELLED_SHOWN * 4);
        let floor = match db.run(move |c| floor::floor(c, p, since)).await {
            Ok(Ok(floor)) => Arc::new(floor),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(e) => return Err(e.to_string()),
        };
        let read = Read {
            generation: wanted,
            at: Instant::now(),
            floor: floor.clone(),
        };
        lock(&self.latest).insert(p, read.clone());
        *slot = Some(read);
        Ok(floor)
    }

    /// A board rendered from this very floor, while it has not changed by itself.
    pub fn rendered(
        &self,
        p: PizzeriaId,
        key: &str,
        floor: &Arc<Floor>,
    ) -> Option<Arc<SharedHtml>> {
        let rendered = lock(&self.rendered);
        let r = rendered.get(&(p, key.to_string()))?;
        let still = Arc::ptr_eq(&r.floor, floor) && r.valid_until.is_none_or(|t| now() < t);
        still.then(|| r.html.clone())
    }

    pub fn keep_rendered(
        &self,
        p: PizzeriaId,
        key: &str,
        floor: &Arc<Floor>,
        valid_until: Option<NaiveDateTime>,
        html: Arc<SharedHtml>,
    ) {
        let r = Rendered {
            floor: floor.clone(),
            valid_until,
            html,
        };
        lock(&self.rendered).insert((p, key.to_string()), r);
    }
}
