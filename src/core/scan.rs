//! SCAN cursors, and the work one SCAN call may do.
//!
//! Every shard keeps its entries in a slab whose slots do not move while an
//! entry lives (an overwrite reuses the entry's slot; the slab never
//! compacts, a flush empties it), so a cursor is a position: a shard and a
//! slot in it. Iterating slots in order returns every key present for the
//! whole iteration exactly once, as Redis promises; a key deleted and set
//! again meanwhile may come twice (Redis allows that too). No snapshot, no
//! sort, no state kept between calls: a call resumes in O(1).
//!
//! One call does a bounded amount of work ([`ScanBudget`]): at most `COUNT`
//! live keys and `10 × COUNT` slots, as Redis visits COUNT buckets, and at
//! most [`WORK_PER_CALL`] units of glob matching and key copying, so that a
//! huge COUNT, huge keys or a costly pattern return early with a cursor to
//! go on from instead of holding the caller's thread (and a shard's lock).

use super::glob::Glob;

/// Set in every cursor SCAN hands out (except 0), so that numbers it never
/// handed out are refused as "ERR invalid cursor". Bits 32..36 hold the
/// shard, bits 0..32 the slot. Below 2^53: a JS number holds it exactly.
const MARKER: u64 = 1 << 40;
const SHARD_SHIFT: u32 = 32;
const SHARD_MASK: u64 = 0xf;

/// Work units one SCAN call may spend. A unit is about one word operation
/// of the glob automaton, or one byte copied out; measured in release on
/// the reference machine, a call that spends all of it takes ~1–2 ms.
pub const WORK_PER_CALL: u64 = 1 << 21;
/// Units charged per slot looked at, live or not (a cache miss or two).
const SLOT_COST: u64 = 32;
/// Units charged per key returned, besides its bytes: the copy, and the JS
/// string the binding makes of it (~100–200 ns).
const KEY_COST: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanCursor {
    pub shard: usize,
    pub slot: u32,
}

impl ScanCursor {
    pub const START: ScanCursor = ScanCursor { shard: 0, slot: 0 };

    /// Reads a cursor of a store with `shards` shards; None for a value no
    /// SCAN of it could have returned.
    pub fn decode(raw: u64, shards: usize) -> Option<ScanCursor> {
        if raw == 0 {
            return Some(Self::START);
        }
        if raw >> (SHARD_SHIFT + 4) != MARKER >> (SHARD_SHIFT + 4) {
            return None;
        }
        let shard = ((raw >> SHARD_SHIFT) & SHARD_MASK) as usize;
        (shard < shards).then_some(ScanCursor {
            shard,
            slot: raw as u32,
        })
    }

    pub fn encode(self) -> u64 {
        MARKER | ((self.shard as u64) << SHARD_SHIFT) | self.slot as u64
    }
}

/// What is left to one SCAN call.
#[derive(Debug)]
pub struct ScanBudget {
    live: usize,
    slots: usize,
    work: u64,
}

impl ScanBudget {
    /// The budget of a call with `COUNT count`.
    pub fn new(count: usize) -> Self {
        let count = count.max(1);
        ScanBudget {
            live: count,
            slots: count.saturating_mul(10),
            work: WORK_PER_CALL,
        }
    }

    /// No limit (KEYS inside the engine, tests).
    pub fn unlimited() -> Self {
        ScanBudget {
            live: usize::MAX,
            slots: usize::MAX,
            work: u64::MAX,
        }
    }

    pub fn spent(&self) -> bool {
        self.live == 0 || self.slots == 0 || self.work == 0
    }

    /// Looks at one slot (`key` None: free or expired): whether the key is
    /// to be returned. The slot is done either way.
    pub fn visit(&mut self, key: Option<&[u8]>, pattern: Option<&Glob>) -> bool {
        self.slots = self.slots.saturating_sub(1);
        let mut cost = SLOT_COST;
        let take = match key {
            None => false,
            Some(key) => {
                self.live = self.live.saturating_sub(1);
                let wanted = match pattern {
                    None => true,
                    Some(glob) => {
                        cost = cost.saturating_add(glob.cost(key.len()));
                        glob.matches(key)
                    }
                };
                if wanted {
                    cost = cost.saturating_add(KEY_COST + key.len() as u64);
                }
                wanted
            }
        };
        self.work = self.work.saturating_sub(cost);
        take
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_numbers_are_refused() {
        let c = ScanCursor {
            shard: 15,
            slot: u32::MAX,
        };
        assert_eq!(ScanCursor::decode(c.encode(), 16), Some(c));
        assert!(c.encode() < 1 << 53, "a JS number holds every cursor");
        assert_eq!(ScanCursor::decode(0, 1), Some(ScanCursor::START));
        for raw in [1, 12345, u32::MAX as u64, u64::MAX, MARKER << 1, MARKER | (1 << 36)] {
            assert_eq!(ScanCursor::decode(raw, 16), None, "{raw}");
        }
        let shard_3 = ScanCursor { shard: 3, slot: 0 }.encode();
        assert_eq!(ScanCursor::decode(shard_3, 2), None, "a shard this store does not have");
    }

    #[test]
    fn a_budget_counts_keys_slots_and_work() {
        let mut b = ScanBudget::new(2);
        assert!(b.visit(Some(b"a"), None));
        assert!(!b.spent());
        assert!(b.visit(Some(b"b"), None));
        assert!(b.spent(), "COUNT live keys");

        let mut b = ScanBudget::new(1);
        for _ in 0..9 {
            b.visit(None, None);
        }
        assert!(!b.spent());
        b.visit(None, None);
        assert!(b.spent(), "10 × COUNT slots");

        let glob = Glob::new(b"*x").unwrap();
        let big = vec![b'a'; 1 << 16];
        let mut b = ScanBudget::new(usize::MAX);
        let mut keys = 0;
        while !b.spent() {
            assert!(!b.visit(Some(&big), Some(&glob)));
            keys += 1;
        }
        assert_eq!(keys, WORK_PER_CALL.div_ceil(SLOT_COST + (1 << 16)), "glob work");
    }
}
