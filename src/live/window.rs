//! The end of an append-only table as one process has read it: the highest id seen and the ids
//! skipped below it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

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
pub const BATCH: i64 = 5_000;
/// At start, the ids this far below the newest one that are missing are watched as gaps: a
/// transaction may have taken them and not yet committed.
pub const START_LOOKBACK: i64 = 1_000;

impl Window {
    /// `present`: the ids above `high - START_LOOKBACK` that exist.
    pub fn starting_at(high: i64, present: &[i64], now: Instant) -> Self {
        let mut gaps: BTreeMap<i64, Instant> = ((high - START_LOOKBACK).max(0) + 1..high)
            .map(|id| (id, now))
            .collect();
        for id in present {
            gaps.remove(id);
        }
        Window { high, gaps }
    }

    pub fn high(&self) -> i64 {
        self.high
    }

    pub fn gaps(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Keeps the keys of the rows not seen before.
    pub fn fresh<K: Ord>(&mut self, mut rows: Vec<(i64, K)>, now: Instant) -> BTreeSet<K> {
        rows.sort_unstable_by_key(|(id, _)| *id);
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
        w.fresh(Vec::<(i64, i64)>::new(), t + GAP_PATIENCE);
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
