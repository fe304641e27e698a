//! Each pizzeria's floor (its open orders, lines and steps) as last read, shared by all its
//! kitchen, driver and counter screens of this process: after an order event, the first screen
//! to ask reads it once while the others wait for that read instead of making their own.

use crate::db::Db;
use crate::domain::ids::PizzeriaId;
use crate::models::floor::{self, Floor};
use crate::models::now;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A floor is read again at least this often, even without events.
const MAX_AGE: Duration = Duration::from_secs(30);
/// Cancelled orders stay on the floor this long (struck through on the kitchen screen).
pub const CANCELLED_SHOWN: i64 = 15;

#[derive(Default)]
struct Slot {
    generation: u64,
    read: Option<(u64, Instant, Arc<Floor>)>,
}

#[derive(Default)]
pub struct FloorCache {
    slots: Mutex<HashMap<PizzeriaId, Arc<tokio::sync::Mutex<Slot>>>>,
    generations: Mutex<HashMap<PizzeriaId, u64>>,
}

impl FloorCache {
    /// An order of this pizzeria changed: the next read goes to the database.
    pub fn forget(&self, p: PizzeriaId) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        *g.entry(p).or_insert(0) += 1;
    }

    fn generation(&self, p: PizzeriaId) -> u64 {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        g.get(&p).copied().unwrap_or(0)
    }

    fn slot(&self, p: PizzeriaId) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(p).or_default().clone()
    }

    /// The pizzeria's floor, read once per change whatever the number of screens.
    pub async fn get(&self, db: &Db, p: PizzeriaId) -> Result<Arc<Floor>, String> {
        let slot = self.slot(p);
        let mut slot = slot.lock().await;
        let wanted = self.generation(p);
        if let Some((generation, at, floor)) = &slot.read {
            if *generation == wanted && at.elapsed() < MAX_AGE {
                return Ok(floor.clone());
            }
        }
        let since = now() - chrono::Duration::seconds(CANCELLED_SHOWN * 4);
        let floor = match db.run(move |c| floor::floor(c, p, since)).await {
            Ok(Ok(floor)) => Arc::new(floor),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(e) => return Err(e.to_string()),
        };
        slot.generation = wanted;
        slot.read = Some((wanted, Instant::now(), floor.clone()));
        Ok(floor)
    }
}
