//! Counters of an L1 store. Relaxed atomics: they are statistics, not
//! synchronization, and every worker thread bumps them.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Debug, Default)]
pub struct Counters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub sets: AtomicU64,
    pub deletes: AtomicU64,
    pub evictions_size: AtomicU64,
    pub expirations: AtomicU64,
}

/// A point-in-time copy of the counters, plus the entry count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub hits: u64,
    pub misses: u64,
    pub sets: u64,
    pub deletes: u64,
    /// Entries removed to stay within `max_entries`/`max_bytes`.
    pub evictions_size: u64,
    pub expirations: u64,
    pub entries: u64,
    pub bytes: u64,
}

impl Counters {
    #[inline]
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    pub fn snapshot(&self, entries: u64, bytes: u64) -> StatsSnapshot {
        StatsSnapshot {
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            sets: self.sets.load(Relaxed),
            deletes: self.deletes.load(Relaxed),
            evictions_size: self.evictions_size.load(Relaxed),
            expirations: self.expirations.load(Relaxed),
            entries,
            bytes,
        }
    }
}
