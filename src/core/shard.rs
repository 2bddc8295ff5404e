//! One shard of the L1 table with its own W-TinyLFU eviction policy.
//!
//! Layout, chosen for memory: entries live in a slab (`Vec<Node>`) addressed
//! by `u32`; the hash table holds only those indices; the policy's three
//! queues are intrusive doubly-linked lists threaded through the slab by
//! index. Per entry that is one node, the key, the shared value bytes and a
//! table slot: about half of what a general-purpose concurrent cache spends.
//!
//! Policy (W-TinyLFU, as in Caffeine): new entries enter a small LRU
//! *window*; entries leaving the window compete for the *main* space
//! (segmented LRU: probation, then protected) against main's LRU victim,
//! and the one the frequency sketch says is more popular stays. The window
//! size adapts by hill climbing on the hit rate, so recency-heavy workloads
//! get a large window (LRU-like) and frequency-heavy ones a small one.
//! A brand-new key is always admitted to the window: `set` then `get` hits.
//!
//! Expiry: a min-heap of deadlines reclaims expired entries as soon as any
//! operation touches the shard after the deadline; reads also check the
//! deadline themselves, so an expired entry is never returned.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hashbrown::HashTable;

use super::entry::{Entry, NO_EXPIRY};
use super::sketch::FrequencySketch;

const NIL: u32 = u32::MAX;

/// Share of capacity the window starts with, and its bounds while adapting.
/// Caffeine starts at 1%; 20% measured better on every trace we replay
/// except the pure loop, and the climber moves it from there.
const WINDOW_START: f64 = 0.2;
const WINDOW_MIN: f64 = 0.0;
const WINDOW_MAX: f64 = 0.8;
/// Share of main space kept for entries that were hit twice.
const PROTECTED_SHARE: f64 = 0.8;
/// Hill climbing: first step, restart threshold and step decay (Caffeine's values).
const CLIMB_STEP: f64 = 0.0625;
const CLIMB_RESTART: f64 = 0.05;
const CLIMB_DECAY: f64 = 0.98;
/// The sketch remembers at least this many keys' popularity, so that tiny
/// caches do not forget (halve) faster than a key comes back.
const MIN_SKETCH_KEYS: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queue {
    Window,
    Probation,
    Protected,
    Free,
}

struct Node {
    /// Key and value (`entry.key()`, `entry.value()`).
    entry: Entry,
    /// Policy weight: bytes charged, at least the store's per-entry floor.
    weight: u64,
    prev: u32,
    next: u32,
    /// Changes whenever the node is freed or its deadline changes, so stale
    /// expiry-heap records are recognised.
    generation: u32,
    queue: Queue,
}

#[derive(Debug, Default, Clone, Copy)]
struct List {
    /// Most recently used end.
    head: u32,
    /// Least recently used end.
    tail: u32,
    weight: u64,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
        weight: 0,
    };
}

/// Why an entry left a shard other than by a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    Size,
    Expired,
}

/// An entry that left the shard, for statistics and events.
#[derive(Debug)]
pub struct Removed {
    pub key: Box<[u8]>,
    pub bytes: u64,
    pub reason: Eviction,
}

/// What a compute closure asks for.
#[derive(Debug)]
pub enum Op {
    Nop,
    Put(Entry),
    Remove,
}

/// Bytes an entry is charged for: key, value and the per-entry overhead.
pub fn entry_bytes(key_len: usize, value_len: usize, overhead: u64) -> u64 {
    key_len as u64 + value_len as u64 + overhead
}

/// Adapts the window size to the workload by hill climbing on the hit rate.
#[derive(Debug, Clone)]
struct Climber {
    hits: u64,
    misses: u64,
    previous_hit_rate: f64,
    /// Signed step, as a share of capacity.
    step: f64,
}

impl Climber {
    fn new() -> Self {
        Self {
            hits: 0,
            misses: 0,
            previous_hit_rate: 0.0,
            // First try a smaller window: frequency usually wins, and a
            // recency-heavy workload turns it around within a few samples.
            step: -CLIMB_STEP,
        }
    }

    /// Records a read; at the end of a sample returns the window change (a
    /// share of capacity) to apply.
    fn record(&mut self, hit: bool, sample_size: u64) -> Option<f64> {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        let total = self.hits + self.misses;
        if total < sample_size {
            return None;
        }
        let rate = self.hits as f64 / total as f64;
        let change = rate - self.previous_hit_rate;
        // Keep going while the hit rate does not fall; turn around when it does.
        let amount = if change >= 0.0 { self.step } else { -self.step };
        // A big change restarts with a full step; otherwise steps decay.
        self.step = if change.abs() >= CLIMB_RESTART {
            CLIMB_STEP.copysign(amount)
        } else {
            CLIMB_DECAY * amount
        };
        self.previous_hit_rate = rate;
        self.hits = 0;
        self.misses = 0;
        Some(amount)
    }
}

/// The store-wide weight budget that every shard draws from, so the store
/// holds exactly `max_entries` however unevenly keys hash into shards.
#[derive(Debug)]
pub struct Budget {
    used: AtomicU64,
    limit: u64,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Self {
            used: AtomicU64::new(0),
            limit,
        }
    }

    fn over(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.limit
    }

    fn add(&self, w: u64) {
        self.used.fetch_add(w, Ordering::Relaxed);
    }

    fn sub(&self, w: u64) {
        self.used.fetch_sub(w, Ordering::Relaxed);
    }
}

pub struct Shard<S> {
    hasher: S,
    budget: Arc<Budget>,
    table: HashTable<u32>,
    nodes: Vec<Node>,
    free: Vec<u32>,
    window: List,
    probation: List,
    protected: List,
    /// Total weight allowed.
    capacity: u64,
    window_share: f64,
    weight_floor: u64,
    overhead: u64,
    sketch: FrequencySketch,
    climber: Climber,
    expiries: BinaryHeap<Reverse<(u64, u32, u32)>>,
    /// True bytes held (key + value + overhead per entry), for statistics.
    bytes: u64,
    rng: u64,
}

impl<S: BuildHasher> Shard<S> {
    /// A shard that may hold up to `capacity` of weight, and together with
    /// the other shards no more than `budget`.
    pub fn new(
        hasher: S,
        budget: Arc<Budget>,
        capacity: u64,
        weight_floor: u64,
        overhead: u64,
        expected_keys: usize,
    ) -> Self {
        Self {
            hasher,
            budget,
            table: HashTable::new(),
            nodes: Vec::new(),
            free: Vec::new(),
            window: List::EMPTY,
            probation: List::EMPTY,
            protected: List::EMPTY,
            capacity,
            window_share: WINDOW_START,
            weight_floor,
            overhead,
            sketch: FrequencySketch::new(expected_keys.clamp(MIN_SKETCH_KEYS, 1 << 20)),
            climber: Climber::new(),
            expiries: BinaryHeap::new(),
            bytes: 0,
            rng: 0x2545_f491_4f6c_dd1d ^ capacity,
        }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn weight_of(&self, key_len: usize, value_len: usize) -> u64 {
        entry_bytes(key_len, value_len, self.overhead).max(self.weight_floor)
    }

    fn total_weight(&self) -> u64 {
        self.window.weight + self.probation.weight + self.protected.weight
    }

    fn find(&self, hash: u64, key: &[u8]) -> Option<u32> {
        let nodes = &self.nodes;
        self.table
            .find(hash, |&i| nodes[i as usize].entry.key() == key)
            .copied()
    }

    // ---- lists -------------------------------------------------------------

    fn list_mut(&mut self, q: Queue) -> &mut List {
        match q {
            Queue::Window => &mut self.window,
            Queue::Probation => &mut self.probation,
            Queue::Protected => &mut self.protected,
            Queue::Free => unreachable!("free nodes are in no list"),
        }
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next, q, w) = {
            let n = &self.nodes[i as usize];
            (n.prev, n.next, n.queue, n.weight)
        };
        if prev != NIL {
            self.nodes[prev as usize].next = next;
        }
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        }
        let list = self.list_mut(q);
        if list.head == i {
            list.head = next;
        }
        if list.tail == i {
            list.tail = prev;
        }
        list.weight -= w;
    }

    fn push_head(&mut self, i: u32, q: Queue) {
        let w = self.nodes[i as usize].weight;
        let list = self.list_mut(q);
        let old_head = list.head;
        list.head = i;
        if list.tail == NIL {
            list.tail = i;
        }
        list.weight += w;
        if old_head != NIL {
            self.nodes[old_head as usize].prev = i;
        }
        let n = &mut self.nodes[i as usize];
        n.prev = NIL;
        n.next = old_head;
        n.queue = q;
    }

    fn move_to(&mut self, i: u32, q: Queue) {
        self.unlink(i);
        self.push_head(i, q);
    }

    // ---- policy ------------------------------------------------------------

    fn hash_node(&self, i: u32) -> u64 {
        self.hasher.hash_one(self.nodes[i as usize].entry.key())
    }

    fn main_capacity(&self) -> u64 {
        self.capacity - self.window_capacity()
    }

    fn window_capacity(&self) -> u64 {
        (self.capacity as f64 * self.window_share) as u64
    }

    /// A read of live entry `i` (hit).
    fn on_hit(&mut self, i: u32, hash: u64) {
        self.sketch.increment(hash);
        match self.nodes[i as usize].queue {
            Queue::Window => self.move_to(i, Queue::Window),
            Queue::Protected => self.move_to(i, Queue::Protected),
            Queue::Probation => {
                self.move_to(i, Queue::Protected);
                let protected_max = (self.main_capacity() as f64 * PROTECTED_SHARE) as u64;
                while self.protected.weight > protected_max && self.protected.tail != i {
                    let demoted = self.protected.tail;
                    self.move_to(demoted, Queue::Probation);
                }
            }
            Queue::Free => {}
        }
    }

    /// Feeds the hill climber one read outcome.
    pub fn record_read(&mut self, hit: bool) {
        // One sample per cacheful of reads: slower samples adapt too late on
        // traces whose phases are short (measured on the LIRS/ARC traces).
        let sample = (self.len() as u64).max(100);
        if let Some(step) = self.climber.record(hit, sample) {
            self.window_share = (self.window_share + step).clamp(WINDOW_MIN, WINDOW_MAX);
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: only used to break admission ties unpredictably.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// TinyLFU admission: the candidate replaces the victim only if it is
    /// more popular. Warm candidates win now and then at random, so an
    /// attacker cannot pin the victim by inflating its frequency.
    fn admit(&mut self, candidate: u32, victim: u32) -> bool {
        let cf = self.sketch.frequency(self.hash_node(candidate));
        let vf = self.sketch.frequency(self.hash_node(victim));
        if cf > vf {
            true
        } else if cf <= 5 {
            false
        } else {
            self.next_random() & 127 == 0
        }
    }

    /// Restores the bounds: window overflow moves to probation, then main's
    /// victims and the window's candidates are compared until it all fits.
    fn evict(&mut self, removed: &mut Vec<Removed>) {
        let window_max = self.window_capacity();
        let mut candidates = 0usize;
        // The newest entry always stays in the window, so a key just set is
        // there to be read, however small the window.
        while self.window.weight > window_max && self.window.tail != self.window.head {
            let c = self.window.tail;
            self.move_to(c, Queue::Probation);
            candidates += 1;
        }
        // Over this shard's own capacity, or the store over its budget: the
        // shard being written to gives room. It keeps at least the entry just
        // written, so a near-empty shard cannot spin while others are full.
        while self.total_weight() > self.capacity || (self.budget.over() && self.window.head != self.evictable_tail()) {
            let victim = self.evictable_tail();
            let candidate = self.probation.head;
            if candidates == 0 || candidate == victim || self.nodes[victim as usize].queue != Queue::Probation {
                if candidate == victim {
                    candidates = candidates.saturating_sub(1);
                }
                self.remove_index(victim, Some(Eviction::Size), removed);
            } else if self.admit(candidate, victim) {
                self.remove_index(victim, Some(Eviction::Size), removed);
            } else {
                self.remove_index(candidate, Some(Eviction::Size), removed);
                candidates -= 1;
            }
        }
    }

    /// Main's least recent entry, else the window's: the next victim.
    fn evictable_tail(&self) -> u32 {
        [self.probation.tail, self.protected.tail, self.window.tail]
            .into_iter()
            .find(|&i| i != NIL)
            .unwrap_or(NIL)
    }

    // ---- entries -----------------------------------------------------------

    fn alloc_node(&mut self, entry: Entry, weight: u64) -> u32 {
        let node = Node {
            entry,
            weight,
            prev: NIL,
            next: NIL,
            generation: 0,
            queue: Queue::Free,
        };
        match self.free.pop() {
            Some(i) => {
                let generation = self.nodes[i as usize].generation;
                self.nodes[i as usize] = Node { generation, ..node };
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Unlinks and frees `i`. `reason` None means a command removed it.
    fn remove_index(&mut self, i: u32, reason: Option<Eviction>, removed: &mut Vec<Removed>) {
        let hash = self.hash_node(i);
        self.unlink(i);
        if let Ok(slot) = self.table.find_entry(hash, |&j| j == i) {
            slot.remove();
        }
        self.budget.sub(self.nodes[i as usize].weight);
        let node = &mut self.nodes[i as usize];
        let entry = std::mem::replace(&mut node.entry, Entry::empty());
        let bytes = entry_bytes(entry.key().len(), entry.value().len(), self.overhead);
        node.queue = Queue::Free;
        node.generation = node.generation.wrapping_add(1);
        self.bytes -= bytes;
        self.free.push(i);
        if let Some(reason) = reason {
            removed.push(Removed {
                key: entry.key().into(),
                bytes,
                reason,
            });
        }
    }

    fn track_deadline(&mut self, i: u32) {
        let n = &self.nodes[i as usize];
        if n.entry.deadline != NO_EXPIRY {
            self.expiries.push(Reverse((n.entry.deadline, i, n.generation)));
        }
    }

    /// Reclaims every entry whose deadline is at or before `now`.
    pub fn expire_due(&mut self, now: u64, removed: &mut Vec<Removed>) {
        while let Some(&Reverse((deadline, i, generation))) = self.expiries.peek() {
            if deadline > now {
                break;
            }
            self.expiries.pop();
            let n = &self.nodes[i as usize];
            if n.generation == generation && n.queue != Queue::Free && n.entry.deadline == deadline {
                self.remove_index(i, Some(Eviction::Expired), removed);
            }
        }
        // Records of overwritten deadlines pile up under TTL churn: compact.
        if self.expiries.len() > 2 * self.len() + 1024 {
            let nodes = &self.nodes;
            self.expiries.retain(|Reverse((d, i, g))| {
                let n = &nodes[*i as usize];
                n.generation == *g && n.queue != Queue::Free && n.entry.deadline == *d
            });
        }
    }

    /// Reads `key`: the live entry, touching the policy. `None` on a miss.
    pub fn get(&mut self, hash: u64, key: &[u8], now: u64, removed: &mut Vec<Removed>) -> Option<Entry> {
        self.expire_due(now, removed);
        let found = self.find(hash, key).and_then(|i| {
            if self.nodes[i as usize].entry.is_expired(now) {
                self.remove_index(i, Some(Eviction::Expired), removed);
                None
            } else {
                self.on_hit(i, hash);
                Some(self.nodes[i as usize].entry.clone())
            }
        });
        if found.is_none() {
            // Misses count toward popularity too: a key missed often is
            // worth admitting once it is set.
            self.sketch.increment(hash);
        }
        self.record_read(found.is_some());
        found
    }

    /// The live entry of `key`, without touching the policy.
    pub fn peek(&mut self, hash: u64, key: &[u8], now: u64, removed: &mut Vec<Removed>) -> Option<Entry> {
        self.expire_due(now, removed);
        let i = self.find(hash, key)?;
        if self.nodes[i as usize].entry.is_expired(now) {
            self.remove_index(i, Some(Eviction::Expired), removed);
            return None;
        }
        Some(self.nodes[i as usize].entry.clone())
    }

    /// Runs `f` on the live entry of `key` and applies the operation it returns.
    /// Returns `f`'s result and the bytes delta (added, freed) for statistics.
    pub fn compute<R>(
        &mut self,
        hash: u64,
        key: &[u8],
        now: u64,
        removed: &mut Vec<Removed>,
        f: impl FnOnce(Option<&Entry>) -> (Op, R),
    ) -> R {
        self.expire_due(now, removed);
        let mut index = self.find(hash, key);
        if let Some(i) = index {
            if self.nodes[i as usize].entry.is_expired(now) {
                self.remove_index(i, Some(Eviction::Expired), removed);
                index = None;
            }
        }
        let (op, result) = f(index.map(|i| &self.nodes[i as usize].entry));
        match (op, index) {
            (Op::Nop, _) | (Op::Remove, None) => {}
            (Op::Remove, Some(i)) => self.remove_index(i, None, removed),
            // A deadline already past: the key is set and gone at once, as Redis does.
            (Op::Put(e), Some(i)) if e.is_expired(now) => self.remove_index(i, None, removed),
            (Op::Put(e), None) if e.is_expired(now) => {}
            (Op::Put(e), Some(i)) => self.replace(i, hash, e, removed),
            (Op::Put(e), None) => self.insert(hash, e, removed),
        }
        result
    }

    fn replace(&mut self, i: u32, hash: u64, entry: Entry, removed: &mut Vec<Removed>) {
        debug_assert_eq!(entry.key(), self.nodes[i as usize].entry.key());
        let key_len = entry.key().len();
        let weight = self.weight_of(key_len, entry.value().len());
        let old_bytes = entry_bytes(key_len, self.nodes[i as usize].entry.value().len(), self.overhead);
        let new_bytes = entry_bytes(key_len, entry.value().len(), self.overhead);
        let deadline_changed = self.nodes[i as usize].entry.deadline != entry.deadline;
        // Reweigh in place: take it out of its list's weight, put it back.
        let q = self.nodes[i as usize].queue;
        self.unlink(i);
        self.budget.sub(self.nodes[i as usize].weight);
        self.budget.add(weight);
        {
            let n = &mut self.nodes[i as usize];
            n.weight = weight;
            n.entry = entry;
            if deadline_changed {
                n.generation = n.generation.wrapping_add(1);
            }
        }
        self.push_head(i, q);
        self.bytes = self.bytes - old_bytes + new_bytes;
        if deadline_changed {
            self.track_deadline(i);
        }
        self.sketch.increment(hash);
        self.evict(removed);
    }

    fn insert(&mut self, hash: u64, entry: Entry, removed: &mut Vec<Removed>) {
        let weight = self.weight_of(entry.key().len(), entry.value().len());
        self.bytes += entry_bytes(entry.key().len(), entry.value().len(), self.overhead);
        self.budget.add(weight);
        let i = self.alloc_node(entry, weight);
        let nodes = &self.nodes;
        let hasher = &self.hasher;
        self.table
            .insert_unique(hash, i, |&j| hasher.hash_one(nodes[j as usize].entry.key()));
        self.push_head(i, Queue::Window);
        self.track_deadline(i);
        if self.len() > self.sketch.expected_keys() {
            // The sketch was sized for fewer keys (a bytes-only bound): grow it.
            self.sketch = FrequencySketch::new(self.len() * 2);
        }
        self.sketch.increment(hash);
        self.evict(removed);
    }

    /// Walks the slab from slot `from` (SCAN, KEYS): `visit(Some(key))` for
    /// a live entry, `visit(None)` for a free or expired slot, until `visit`
    /// returns false (the slot it was given is then done). Returns the slot
    /// to resume from, or None once the slab is done. Slots do not move
    /// while their entry lives (`replace` reuses the slot, nothing
    /// compacts), so resuming by slot misses no key present throughout.
    pub fn walk(&self, from: u32, now: u64, mut visit: impl FnMut(Option<&[u8]>) -> bool) -> Option<u32> {
        let mut i = from as usize;
        while i < self.nodes.len() {
            let n = &self.nodes[i];
            let live = n.queue != Queue::Free && !n.entry.is_expired(now);
            let go_on = visit(live.then(|| n.entry.key()));
            i += 1;
            if !go_on {
                break;
            }
        }
        (i < self.nodes.len()).then_some(i as u32)
    }

    /// Drops everything (FLUSHALL). Returns how many entries were dropped.
    pub fn clear(&mut self) -> usize {
        let n = self.len();
        self.budget.sub(self.total_weight());
        let expected = self.sketch.expected_keys();
        self.table = HashTable::new();
        self.nodes = Vec::new();
        self.free = Vec::new();
        self.window = List::EMPTY;
        self.probation = List::EMPTY;
        self.protected = List::EMPTY;
        self.expiries = BinaryHeap::new();
        self.bytes = 0;
        self.sketch = FrequencySketch::new(expected);
        n
    }

    /// Checks the structure's invariants (tests only).
    #[cfg(test)]
    pub fn check_invariants(&self) {
        let mut count = 0;
        let mut bytes = 0;
        for (list, q) in [
            (self.window, Queue::Window),
            (self.probation, Queue::Probation),
            (self.protected, Queue::Protected),
        ] {
            let mut weight = 0;
            let mut prev = NIL;
            let mut i = list.head;
            while i != NIL {
                let n = &self.nodes[i as usize];
                assert_eq!(n.queue, q);
                assert_eq!(n.prev, prev);
                weight += n.weight;
                bytes += entry_bytes(n.entry.key().len(), n.entry.value().len(), self.overhead);
                count += 1;
                prev = i;
                i = n.next;
            }
            assert_eq!(list.tail, prev);
            assert_eq!(list.weight, weight);
        }
        assert_eq!(count, self.len());
        assert_eq!(bytes, self.bytes);
        assert!(self.total_weight() <= self.capacity);
    }
}
