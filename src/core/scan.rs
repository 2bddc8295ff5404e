//! SCAN cursors over a store that has no stable iteration order.
//!
//! moka iterates in an order that changes as the table changes, so a cursor
//! cannot be a position in it. Instead keys are ordered by a fixed hash: a
//! cursor is "the hash position to resume from" plus the id of a sorted
//! snapshot that makes the next page cheap. A snapshot is only ever used by
//! the iteration that built it (its id is in the cursor), so it is never older
//! than the iteration; if it was dropped, a fresh one is built and the
//! iteration resumes at the same hash position. Keys present for the whole
//! iteration are therefore returned at least once, as Redis promises.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::local::Key;

const POSITION_BITS: u32 = 47;
const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;
const MAX_SNAPSHOTS: usize = 16;
const SNAPSHOT_IDLE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanCursor {
    snapshot_id: u16,
    position: u64,
}

impl ScanCursor {
    pub const START: ScanCursor = ScanCursor {
        snapshot_id: 0,
        position: 0,
    };

    /// Reads a cursor; None for a value no SCAN could have returned.
    pub fn decode(raw: u64) -> Option<ScanCursor> {
        if raw >> (POSITION_BITS + 16) != 0 {
            return None;
        }
        let c = ScanCursor {
            snapshot_id: (raw >> POSITION_BITS) as u16,
            position: raw & POSITION_MASK,
        };
        // Every cursor SCAN hands out names a snapshot; 0 is the start.
        (raw == 0 || c.snapshot_id != 0).then_some(c)
    }

    fn encode(self) -> u64 {
        ((self.snapshot_id as u64) << POSITION_BITS) | self.position
    }
}

fn position_of(key: &[u8]) -> u64 {
    // Fixed seeds: positions must not change between snapshots of one process.
    let hasher = ahash::RandomState::with_seeds(0x7469_6572, 0x6361_6368, 0x6573_6361, 0x6e21_2121);
    hasher.hash_one(key) >> (64 - POSITION_BITS)
}

pub struct Snapshot {
    id: u16,
    /// (position, key), sorted by position.
    keys: Vec<(u64, Arc<Key>)>,
}

impl Snapshot {
    fn new(id: u16, keys: Vec<Arc<Key>>) -> Self {
        let mut keys: Vec<(u64, Arc<Key>)> = keys.into_iter().map(|k| (position_of(&k), k)).collect();
        keys.sort_unstable_by_key(|(p, _)| *p);
        Self { id, keys }
    }

    /// The keys from `cursor` on (at least `count`, more when several share
    /// the boundary position) and the cursor after them (0 at the end).
    pub fn page(&self, cursor: ScanCursor, count: usize) -> (u64, Vec<Arc<Key>>) {
        let start = self.keys.partition_point(|(p, _)| *p < cursor.position);
        let mut end = (start + count).min(self.keys.len());
        // Never split keys of one position between pages: the next page
        // resumes *at* a position, and would otherwise repeat them forever.
        while end < self.keys.len() && end > start && self.keys[end].0 == self.keys[end - 1].0 {
            end += 1;
        }
        let next = match self.keys.get(end) {
            Some((p, _)) => ScanCursor {
                snapshot_id: self.id,
                position: *p,
            }
            .encode(),
            None => 0,
        };
        (next, self.keys[start..end].iter().map(|(_, k)| Arc::clone(k)).collect())
    }
}

#[derive(Default)]
pub struct ScanSnapshots {
    inner: Mutex<SnapshotsInner>,
}

#[derive(Default)]
struct SnapshotsInner {
    next_id: u16,
    live: Vec<(Instant, Arc<Snapshot>)>,
}

impl ScanSnapshots {
    /// The snapshot named by `cursor`, or a new one from `build` (for a new
    /// iteration, or when the named one was dropped).
    pub fn snapshot_for(&self, cursor: ScanCursor, build: impl FnOnce() -> Vec<Arc<Key>>) -> Arc<Snapshot> {
        let now = Instant::now();
        {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            inner.live.retain(|(used, _)| now.duration_since(*used) < SNAPSHOT_IDLE);
            if cursor != ScanCursor::START {
                if let Some(slot) = inner.live.iter_mut().find(|(_, s)| s.id == cursor.snapshot_id) {
                    slot.0 = now;
                    return Arc::clone(&slot.1);
                }
            }
        }
        // Build outside the lock: it walks the whole store.
        let keys = build();
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.next_id = inner.next_id.checked_add(1).filter(|id| *id != 0).unwrap_or(1);
        let snapshot = Arc::new(Snapshot::new(inner.next_id, keys));
        if inner.live.len() >= MAX_SNAPSHOTS {
            inner.live.sort_by_key(|(used, _)| *used);
            inner.live.remove(0);
        }
        inner.live.push((now, Arc::clone(&snapshot)));
        snapshot
    }

    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).live.clear();
    }
}
