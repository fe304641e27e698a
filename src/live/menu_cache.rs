//! The menu of each pizzeria as last read, so that a menu page costs no query while nothing
//! changed. The tailer drops a pizzeria's entry as soon as its stock ledger moves; catalogue
//! edits (products, menu switches, hours) are seen within `TTL`. A page built from an older
//! entry still ends right: its stream compares the availability the page showed (its version)
//! with the database and brings the page up to date.

use crate::domain::hours::Slot;
use crate::domain::ids::PizzeriaId;
use crate::models::menu::{Counts, MenuProduct};
use crate::models::pizzeria::Pizzeria;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct MenuSnapshot {
    /// The newest stock ledger id when the menu was read.
    pub after: i64,
    pub pizzeria: Pizzeria,
    pub slots: Vec<Slot>,
    pub products: Vec<MenuProduct>,
    pub counts: Counts,
    /// The product list as rendered for this snapshot (with a placeholder CSRF token).
    pub html: OnceLock<String>,
    /// The availability version the page carries for its stream.
    pub version: OnceLock<String>,
    read_at: Instant,
}

impl MenuSnapshot {
    pub fn new(
        after: i64,
        pizzeria: Pizzeria,
        slots: Vec<Slot>,
        products: Vec<MenuProduct>,
        counts: Counts,
    ) -> Self {
        MenuSnapshot {
            after,
            pizzeria,
            slots,
            products,
            counts,
            html: OnceLock::new(),
            version: OnceLock::new(),
            read_at: Instant::now(),
        }
    }
}

#[derive(Debug, Default)]
pub struct MenuCache {
    entries: RwLock<HashMap<PizzeriaId, Arc<MenuSnapshot>>>,
}

impl MenuCache {
    pub fn get(&self, p: PizzeriaId) -> Option<Arc<MenuSnapshot>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&p)
            .filter(|s| s.read_at.elapsed() < TTL)
            .cloned()
    }

    pub fn put(&self, p: PizzeriaId, snapshot: Arc<MenuSnapshot>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        // Never replace a newer reading by an older one that finished later.
        if entries
            .get(&p)
            .is_none_or(|old| old.after <= snapshot.after)
        {
            entries.insert(p, snapshot);
        }
    }

    pub fn forget(&self, p: PizzeriaId) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(after: i64) -> Arc<MenuSnapshot> {
        let pizzeria = Pizzeria {
            id: 1,
            slug: "bastille".into(),
            name: "OC Pizza Bastille".into(),
            street: String::new(),
            postal_code: String::new(),
            city: String::new(),
            phone: String::new(),
            active: true,
            created_at: chrono::NaiveDateTime::default(),
        };
        Arc::new(MenuSnapshot::new(
            after,
            pizzeria,
            vec![],
            vec![],
            Counts::new(),
        ))
    }

    #[test]
    fn an_older_reading_never_replaces_a_newer_one() {
        let cache = MenuCache::default();
        cache.put(PizzeriaId(1), snapshot(10));
        cache.put(PizzeriaId(1), snapshot(9));
        assert_eq!(cache.get(PizzeriaId(1)).unwrap().after, 10);
        cache.put(PizzeriaId(1), snapshot(11));
        assert_eq!(cache.get(PizzeriaId(1)).unwrap().after, 11);
    }

    #[test]
    fn a_stock_change_drops_the_entry() {
        let cache = MenuCache::default();
        cache.put(PizzeriaId(1), snapshot(10));
        cache.forget(PizzeriaId(1));
        assert!(cache.get(PizzeriaId(1)).is_none());
    }
}
