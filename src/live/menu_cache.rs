//! The menu of each pizzeria as last read, so that a menu page costs no query while nothing
//! changed. The tailer marks a pizzeria's entry out of date as soon as its stock ledger moves;
//! catalogue edits (products, menu switches, hours) are seen within `TTL`. A page built from an older
//! entry still ends right: its stream compares the availability the page showed (its version)
//! with the database and brings the page up to date.

use super::shared_html::SharedHtml;
use crate::domain::hours::Slot;
use crate::domain::ids::PizzeriaId;
use crate::models::menu::{Allergens, Counts, MenuProduct};
use crate::models::pizzeria::Pizzeria;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct MenuSnapshot {
    pub pizzeria: Pizzeria,
    pub slots: Vec<Slot>,
    pub products: Vec<MenuProduct>,
    pub counts: Counts,
    /// The allergens of each product, from its recipe.
    pub allergens: Allergens,
    /// The page as rendered for this snapshot, for every visitor.
    pub page: OnceLock<MenuPage>,
    /// The availability version the page carries for its stream.
    pub version: OnceLock<String>,
    read_at: Instant,
}

impl MenuSnapshot {
    pub fn new(
        pizzeria: Pizzeria,
        slots: Vec<Slot>,
        products: Vec<MenuProduct>,
        counts: Counts,
        allergens: Allergens,
    ) -> Self {
        MenuSnapshot {
            pizzeria,
            slots,
            products,
            counts,
            allergens,
            page: OnceLock::new(),
            version: OnceLock::new(),
            read_at: Instant::now(),
        }
    }
}

/// A menu page rendered once for every visitor, cut where each visitor's own parts go.
#[derive(Debug)]
pub struct MenuPage {
    pub html: SharedHtml,
    /// A digest of the page as rendered (its gaps included): the same for the same bytes, in
    /// every process.
    digest: String,
}

impl MenuPage {
    pub fn cut(html: &str, gaps: [&str; 3]) -> MenuPage {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(html.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        MenuPage {
            html: SharedHtml::cut_at(html, &gaps),
            digest,
        }
    }

    /// The entity tag of the copy with `values` in the gaps: equal tags, equal bytes.
    pub fn etag_for(&self, values: &[&str]) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for v in values {
            hash.update((v.len() as u64).to_le_bytes());
            hash.update(v.as_bytes());
        }
        let own: String = hash.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("\"{}-{own}\"", self.digest)
    }
}

/// What a menu page should do about its pizzeria's menu.
#[derive(Debug)]
pub enum Lookup {
    /// Up to date: use it.
    Fresh(Arc<MenuSnapshot>),
    /// Out of date, and another request is reading the new one: use this one meanwhile (the
    /// page's stream brings its availability up to date at once).
    Stale(Arc<MenuSnapshot>),
    /// Read the menu, then `put` it with this generation.
    Load(u64),
}

#[derive(Debug)]
struct Entry {
    snapshot: Option<Arc<MenuSnapshot>>,
    /// Bumped by every stock change of the pizzeria.
    generation: u64,
    /// The generation the snapshot was read at.
    read_generation: u64,
    /// When a request last took on reading the menu again.
    claimed_at: Option<Instant>,
}

/// A claim on reading the menu again lapses after this (the reader failed or is stuck).
const CLAIM: Duration = Duration::from_secs(2);

/// One reader of a pizzeria's menu at a time: while it reads, the other requests use the
/// snapshot they have, so a stock change during a rush does not send every menu request to
/// the database at once.
#[derive(Debug, Default)]
pub struct MenuCache {
    entries: RwLock<HashMap<PizzeriaId, Entry>>,
}

impl Entry {
    fn fresh(&self) -> Option<&Arc<MenuSnapshot>> {
        self.snapshot
            .as_ref()
            .filter(|s| self.read_generation == self.generation && s.read_at.elapsed() < TTL)
    }
}

impl MenuCache {
    /// The menu if it is up to date, without taking on reading it again.
    pub fn fresh(&self, p: PizzeriaId) -> Option<Arc<MenuSnapshot>> {
        self.read().get(&p).and_then(Entry::fresh).cloned()
    }

    pub fn get(&self, p: PizzeriaId) -> Lookup {
        if let Some(s) = self.fresh(p) {
            return Lookup::Fresh(s);
        }
        let mut entries = self.write();
        let e = entries.entry(p).or_insert(Entry {
            snapshot: None,
            generation: 0,
            read_generation: 0,
            claimed_at: None,
        });
        if let Some(s) = e.fresh() {
            return Lookup::Fresh(s.clone());
        }
        match (&e.snapshot, e.claimed_at) {
            (Some(s), Some(at)) if at.elapsed() < CLAIM => Lookup::Stale(s.clone()),
            _ => {
                e.claimed_at = Some(Instant::now());
                Lookup::Load(e.generation)
            }
        }
    }

    /// Keeps a menu read at `generation` (what `get` said); it is fresh only if no stock change
    /// came in meanwhile.
    pub fn put(&self, p: PizzeriaId, snapshot: Arc<MenuSnapshot>, generation: u64) {
        let mut entries = self.write();
        if let Some(e) = entries.get_mut(&p) {
            e.snapshot = Some(snapshot);
            e.read_generation = generation;
            e.claimed_at = None;
        }
    }

    /// No such pizzeria: nothing to keep (unknown ids must not fill the cache).
    pub fn remove(&self, p: PizzeriaId) {
        self.write().remove(&p);
    }

    /// The pizzeria's stock moved: its menu must be read again.
    pub fn forget(&self, p: PizzeriaId) {
        if let Some(e) = self.write().get_mut(&p) {
            e.generation += 1;
        }
    }

    /// The catalogue changed (a product, a photo): every menu must be read again.
    pub fn forget_all(&self) {
        for e in self.write().values_mut() {
            e.generation += 1;
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<PizzeriaId, Entry>> {
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<PizzeriaId, Entry>> {
        self.entries.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(phone: &str) -> Arc<MenuSnapshot> {
        let pizzeria = Pizzeria {
            id: PizzeriaId(1),
            slug: "bastille".into(),
            name: "OC Pizza Bastille".into(),
            street: String::new(),
            postal_code: String::new(),
            city: String::new(),
            phone: phone.into(),
            active: true,
            created_at: chrono::NaiveDateTime::default(),
        };
        Arc::new(MenuSnapshot::new(
            pizzeria,
            vec![],
            vec![],
            Counts::new(),
            Allergens::new(),
        ))
    }

    const P: PizzeriaId = PizzeriaId(1);

    fn claim_reload(cache: &MenuCache) -> u64 {
        match cache.get(P) {
            Lookup::Load(generation) => generation,
            other => panic!("expected to load, got {other:?}"),
        }
    }

    #[test]
    fn a_stock_change_sends_one_request_to_the_database_the_others_use_the_old_menu() {
        let cache = MenuCache::default();
        let g = claim_reload(&cache);
        cache.put(P, snapshot("old"), g);
        assert!(matches!(cache.get(P), Lookup::Fresh(s) if s.pizzeria.phone == "old"));
        cache.forget(P);
        let g = claim_reload(&cache);
        assert!(matches!(cache.get(P), Lookup::Stale(s) if s.pizzeria.phone == "old"));
        cache.put(P, snapshot("new"), g);
        assert!(matches!(cache.get(P), Lookup::Fresh(s) if s.pizzeria.phone == "new"));
    }

    #[test]
    fn a_menu_read_before_a_stock_change_is_not_taken_for_fresh() {
        let cache = MenuCache::default();
        let g = claim_reload(&cache);
        cache.forget(P);
        cache.put(P, snapshot("old"), g);
        // Kept for the others to use meanwhile, but read again.
        assert!(matches!(cache.get(P), Lookup::Load(_)));
        assert!(matches!(cache.get(P), Lookup::Stale(s) if s.pizzeria.phone == "old"));
    }

    #[test]
    fn with_nothing_read_yet_every_request_reads() {
        let cache = MenuCache::default();
        claim_reload(&cache);
        // Nothing to show yet: the next one reads too (cold start only).
        assert!(matches!(cache.get(P), Lookup::Load(_)));
    }
}
