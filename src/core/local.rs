//! L1: the in-process store. A sharded table with W-TinyLFU eviction
//! (`shard.rs`) and Redis key semantics on top: per-key deadlines checked on
//! every read, atomic read-modify-write commands, bounds by entry count and
//! by bytes.
//!
//! # Guarantees
//! - A read never returns an entry whose deadline has passed: the deadline
//!   is checked against [`Clock`] on every access, and expired entries are
//!   reclaimed as soon as their shard is next touched.
//! - Every command on one key runs under its shard's lock, so `INCR`,
//!   `SET NX`, `GETDEL` and friends are atomic across worker threads.
//! - The sum of entry weights never exceeds `max_bytes`, and the entry count
//!   never exceeds `max_entries` (each entry weighs at least
//!   `max_bytes / max_entries`, so one capacity enforces both bounds).
//! - A key just written is readable at once (it enters the policy's window;
//!   only the window's oldest entries compete for the main space).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use super::clock::{Clock, SystemClock};
use super::entry::{Entry, Kind, NO_EXPIRY};
use super::error::CommandError;
use super::glob::Glob;
use super::scan::{ScanBudget, ScanCursor};
use super::sealed::SealedAction;
use super::shard::{Budget, Eviction, Op, Removed, Shard};
use super::stats::{Counters, StatsSnapshot};

pub type Key = Box<[u8]>;

/// Bytes charged per entry on top of key and value: the slab node, the
/// hash-table slot, the allocation's headers and the tables' growth slack.
/// Measured: a million 10-byte keys with 20-byte values grow RSS by ~180
/// bytes each (see bench/RESULTS.md, "Memory").
pub const ENTRY_OVERHEAD_BYTES: u64 = 150;

/// Most shards a store is split into (each has its own lock and policy).
const MAX_SHARDS: usize = 16;
/// Fewest entries a shard should be sized for before the store splits.
const ENTRIES_PER_SHARD: u64 = 16384;
/// Average entry weight assumed when only a byte bound is given.
const TYPICAL_ENTRY_BYTES: u64 = 256;

/// Longest key accepted, in bytes.
pub const MAX_KEY_BYTES: usize = 64 * 1024;

/// Default byte budget of a store when none is given.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Largest value accepted by default (and never more than `max_bytes`).
pub const DEFAULT_MAX_VALUE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalConfig {
    /// Entry-count bound; `None` means bounded by bytes only.
    pub max_entries: Option<u64>,
    pub max_bytes: u64,
    pub max_value_bytes: u64,
    /// TTL given to entries written without one (Redis has none).
    pub default_ttl_ms: Option<u64>,
}

impl Default for LocalConfig {
    fn default() -> Self {
        Self {
            max_entries: None,
            max_bytes: DEFAULT_MAX_BYTES,
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            default_ttl_ms: None,
        }
    }
}

/// Why an entry left the store without being deleted by a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// Evicted to stay within the bounds.
    Size,
    /// Its deadline passed.
    Expired,
}

impl RemovalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::Size => "size",
            RemovalReason::Expired => "expired",
        }
    }
}

/// Receives evictions and expirations. Called on the thread whose command
/// evicted or reclaimed the entries (after the shard lock is released, with
/// the sink list read-locked), so it must be cheap and must not call back
/// into the store.
pub type RemovalSink = Arc<dyn Fn(&[u8], RemovalReason) + Send + Sync>;

/// A change counter that one thread's decoded front cache watches. The store
/// bumps it whenever an entry may have changed behind that thread's back.
#[derive(Debug, Default)]
pub struct FrontEpoch(AtomicU32);

impl FrontEpoch {
    pub fn load(&self) -> u32 {
        self.0.load(Ordering::Acquire)
    }
    fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
    /// Where the counter lives, for exposing it to JavaScript without a call.
    pub fn as_ptr(&self) -> *mut u32 {
        self.0.as_ptr()
    }
}

/// How `SET` treats the key's expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetExpiry {
    /// No TTL given: the store's default TTL, if any, else none.
    Default,
    /// KEEPTTL: keep the current deadline.
    Keep,
    /// An absolute deadline in Unix ms (EX/PX/EXAT/PXAT resolved by the caller).
    At(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// NX
    IfAbsent,
    /// XX
    IfPresent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetOptions {
    pub expiry: SetExpiry,
    pub condition: Condition,
}

impl Default for SetOptions {
    fn default() -> Self {
        Self {
            expiry: SetExpiry::Default,
            condition: Condition::Always,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SetOutcome {
    /// Whether the value was written (false when NX/XX refused it).
    pub written: bool,
    /// The value before the command (for SET … GET).
    pub previous: Option<Entry>,
}

/// GETEX's expiry change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetExExpiry {
    Unchanged,
    Persist,
    At(u64),
}

/// EXPIRE's NX/XX/GT/LT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireCondition {
    Always,
    /// Only when the key has no expiry.
    Nx,
    /// Only when the key has an expiry.
    Xx,
    /// Only when the new expiry is later (no expiry counts as infinite).
    Gt,
    /// Only when the new expiry is sooner (no expiry counts as infinite).
    Lt,
}

/// What every thread's commands share besides the table.
struct Shared {
    counters: Counters,
    sinks: RwLock<Vec<(u64, RemovalSink)>>,
    fronts: RwLock<Vec<Arc<FrontEpoch>>>,
    next_sink_id: AtomicU64,
    clock: Arc<dyn Clock>,
}

impl Shared {
    /// Accounts for and announces entries that left by eviction or expiry.
    /// Called after the shard lock is released.
    fn report(&self, removed: Vec<Removed>) {
        if removed.is_empty() {
            return;
        }
        self.bump_fronts(None);
        let sinks = self.sinks.read().unwrap_or_else(|p| p.into_inner());
        for r in removed {
            let reason = match r.reason {
                Eviction::Size => {
                    Counters::add(&self.counters.evictions_size, 1);
                    RemovalReason::Size
                }
                Eviction::Expired => {
                    Counters::add(&self.counters.expirations, 1);
                    RemovalReason::Expired
                }
            };
            for (_, sink) in sinks.iter() {
                sink(&r.key, reason);
            }
        }
    }

    fn bump_fronts(&self, except: Option<&FrontEpoch>) {
        let fronts = self.fronts.read().unwrap_or_else(|p| p.into_inner());
        for f in fronts.iter() {
            if !except.is_some_and(|e| std::ptr::eq(e, &**f)) {
                f.bump();
            }
        }
    }
}

type StoreShard = Shard<ahash::RandomState>;

pub struct LocalStore {
    shards: Box<[Mutex<StoreShard>]>,
    /// What the smallest shard can hold: the most one entry may weigh.
    smallest_shard_capacity: u64,
    /// Added to the clock: tests move time forward without sleeping.
    time_offset_ms: AtomicU64,
    /// Instances (JS caches) using this store; a named store nobody uses any
    /// more is replaced on the next open.
    open_handles: std::sync::atomic::AtomicUsize,
    hasher: ahash::RandomState,
    config: LocalConfig,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("config", &self.config)
            .field("shards", &self.shards.len())
            .finish_non_exhaustive()
    }
}

impl LocalStore {
    pub fn new(config: LocalConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    pub fn with_clock(config: LocalConfig, clock: Arc<dyn Clock>) -> Self {
        let shared = Arc::new(Shared {
            counters: Counters::default(),
            sinks: RwLock::new(Vec::new()),
            fronts: RwLock::new(Vec::new()),
            next_sink_id: AtomicU64::new(1),
            clock,
        });
        let expected_entries = config
            .max_entries
            .unwrap_or(config.max_bytes / TYPICAL_ENTRY_BYTES)
            .max(1);
        let shard_count = ((expected_entries / ENTRIES_PER_SHARD) as usize)
            .clamp(1, MAX_SHARDS)
            .next_power_of_two()
            .min(MAX_SHARDS);
        // One capacity for both bounds: every entry weighs at least
        // max_bytes / max_entries, so max_entries of them fill the budget.
        // Shares are spread so the shards hold exactly max_entries together.
        let (floor, units) = match config.max_entries {
            Some(n) => ((config.max_bytes / n.max(1)).max(1), n.max(1)),
            None => (1, config.max_bytes),
        };
        // Keys do not hash evenly: a shard may exceed its even share by an
        // eighth while the store-wide budget holds the total to the bound.
        let per_shard = units.div_ceil(shard_count as u64);
        let shard_capacity = if shard_count == 1 {
            units
        } else {
            per_shard + per_shard / 8
        } * floor;
        let budget = Arc::new(Budget::new(units * floor));
        let hasher = ahash::RandomState::new();
        let shards = (0..shard_count as u64)
            .map(|_| {
                Mutex::new(Shard::new(
                    hasher.clone(),
                    Arc::clone(&budget),
                    shard_capacity,
                    floor,
                    ENTRY_OVERHEAD_BYTES,
                    (expected_entries / shard_count as u64) as usize,
                ))
            })
            .collect::<Box<[Mutex<StoreShard>]>>();
        let smallest_shard_capacity = units.div_ceil(shard_count as u64) * floor;
        Self {
            shards,
            smallest_shard_capacity,
            time_offset_ms: AtomicU64::new(0),
            open_handles: std::sync::atomic::AtomicUsize::new(0),
            hasher,
            config,
            shared,
        }
    }

    pub fn config(&self) -> &LocalConfig {
        &self.config
    }

    pub fn now_ms(&self) -> u64 {
        self.shared.clock.now_ms() + self.time_offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this store's time forward by `ms` (for tests of TTLs without
    /// sleeping). Every front is told, since their deadlines used the old time.
    pub fn advance_time(&self, ms: u64) {
        self.time_offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.changed(None);
    }

    /// Counts an instance that uses this store (see `registry`).
    pub fn acquire(&self) {
        self.open_handles.fetch_add(1, Ordering::AcqRel);
    }

    /// Forgets an instance; returns whether none is left (the caller then
    /// empties the store, so its memory goes back at once).
    pub fn release(&self) -> bool {
        self.open_handles.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// Whether any instance still uses this store.
    pub fn in_use(&self) -> bool {
        self.open_handles.load(Ordering::Acquire) > 0
    }

    // ---- observers -------------------------------------------------------

    /// Registers a sink for evictions and expirations; returns its id.
    pub fn add_removal_sink(&self, sink: RemovalSink) -> u64 {
        let id = self.shared.next_sink_id.fetch_add(1, Ordering::Relaxed);
        self.shared
            .sinks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push((id, sink));
        id
    }

    pub fn remove_removal_sink(&self, id: u64) {
        self.shared
            .sinks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(i, _)| *i != id);
    }

    /// Registers a front epoch that every change bumps.
    pub fn add_front(&self, front: Arc<FrontEpoch>) {
        self.shared
            .fronts
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(front);
    }

    pub fn remove_front(&self, front: &Arc<FrontEpoch>) {
        self.shared
            .fronts
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|f| !Arc::ptr_eq(f, front));
    }

    /// Tells every front except `origin`'s that entries changed.
    pub fn changed(&self, origin: Option<&FrontEpoch>) {
        self.shared.bump_fronts(origin);
    }

    // ---- validation ------------------------------------------------------

    pub fn check_key(&self, key: &[u8]) -> Result<(), CommandError> {
        if key.is_empty() {
            Err(CommandError::EmptyKey)
        } else if key.len() > MAX_KEY_BYTES {
            Err(CommandError::KeyTooLarge { max: MAX_KEY_BYTES })
        } else {
            Ok(())
        }
    }

    /// Largest value accepted under `key`: the configured limit, and never
    /// more than one shard can hold (an entry must fit its shard's budget).
    pub fn max_value_bytes(&self, key_len: usize) -> u64 {
        let shard_budget = self.smallest_shard_capacity;
        self.config
            .max_value_bytes
            .min(shard_budget.saturating_sub(ENTRY_OVERHEAD_BYTES + key_len as u64))
    }

    /// Whether an entry of `key` and a value of `value_len` bytes is accepted.
    pub fn check_entry(&self, key: &[u8], value_len: usize) -> Result<(), CommandError> {
        self.check_key(key)?;
        let max = self.max_value_bytes(key.len());
        if value_len as u64 > max {
            Err(CommandError::ValueTooLarge { max })
        } else {
            Ok(())
        }
    }

    fn default_deadline(&self, now: u64) -> u64 {
        self.config
            .default_ttl_ms
            .map(|ttl| now.saturating_add(ttl))
            .unwrap_or(NO_EXPIRY)
    }

    // ---- the compute primitive -------------------------------------------

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    #[inline]
    fn shard(&self, hash: u64) -> MutexGuard<'_, StoreShard> {
        let i = (hash >> 32) as usize & (self.shards.len() - 1);
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the live entry of `key` (None when absent or expired)
    /// under the shard's lock and applies the operation it returns.
    fn compute<R>(&self, key: &[u8], f: impl FnOnce(Option<&Entry>, u64) -> (Op, R)) -> R {
        let now = self.now_ms();
        let hash = self.hash(key);
        let mut removed = Vec::new();
        let result = self
            .shard(hash)
            .compute(hash, key, now, &mut removed, |current| f(current, now));
        self.shared.report(removed);
        result
    }

    /// The live entry of `key` without touching statistics or the policy.
    pub fn peek(&self, key: &[u8]) -> Option<Entry> {
        let now = self.now_ms();
        let hash = self.hash(key);
        let mut removed = Vec::new();
        let found = self
            .shard(hash)
            .peek(hash, key, now, &mut removed)
            .filter(|e| e.kind != Kind::Replies);
        self.shared.report(removed);
        found
    }

    fn count_read(&self, hit: bool) {
        let c = &self.shared.counters;
        Counters::add(if hit { &c.hits } else { &c.misses }, 1);
    }

    // ---- commands --------------------------------------------------------

    /// GET
    pub fn get(&self, key: &[u8]) -> Option<Entry> {
        self.get_with_pttl(key).map(|(e, _)| e)
    }

    /// GET, with the entry's remaining time to live (PTTL: -1 for none)
    /// from the same clock reading.
    pub fn get_with_pttl(&self, key: &[u8]) -> Option<(Entry, i64)> {
        let now = self.now_ms();
        let hash = self.hash(key);
        let mut removed = Vec::new();
        // Cached replies of a hash, set, … are not a string value.
        let found = self
            .shard(hash)
            .get(hash, key, now, &mut removed)
            .filter(|e| e.kind != Kind::Replies);
        self.shared.report(removed);
        self.count_read(found.is_some());
        found.map(|e| {
            let pttl = e.pttl(now);
            (e, pttl)
        })
    }

    /// The entry of cached replies of `key` (see `tier::reply_cache`) with
    /// its remaining TTL (-1: none); not counted (the caller counts whether
    /// it held the reply asked for).
    pub fn replies_with_pttl(&self, key: &[u8]) -> Option<(Entry, i64)> {
        let now = self.now_ms();
        let hash = self.hash(key);
        let mut removed = Vec::new();
        let found = self
            .shard(hash)
            .get(hash, key, now, &mut removed)
            .filter(|e| e.kind == Kind::Replies);
        self.shared.report(removed);
        found.map(|e| {
            let pttl = e.pttl(now);
            (e, pttl)
        })
    }

    /// Counts a read of a cached reply as an L1 hit or miss.
    pub fn count_reply_read(&self, hit: bool) {
        self.count_read(hit);
    }

    /// Caches the entry `make` builds from the current one (None: nothing),
    /// if `may_fill` still agrees under the shard lock; as [`Self::fill_if`].
    pub fn fill_with_if(
        &self,
        key: &[u8],
        may_fill: impl FnOnce() -> bool,
        make: impl FnOnce(Option<&Entry>) -> Option<Entry>,
    ) -> bool {
        if self.check_key(key).is_err() {
            return false;
        }
        self.compute(key, move |current, now| {
            if !may_fill() {
                return (Op::Nop, false);
            }
            match make(current) {
                Some(e) if e.deadline == NO_EXPIRY || e.deadline > now => (Op::Put(e), true),
                _ => (Op::Nop, false),
            }
        })
    }

    /// SET with its options; GET is answered by `previous`.
    pub fn set(&self, key: &[u8], value: &[u8], kind: Kind, opts: SetOptions) -> Result<SetOutcome, CommandError> {
        self.check_entry(key, value.len())?;
        // Allocated before taking the shard lock; only the deadline is decided under it.
        let fresh = Entry::new(key, value, kind, NO_EXPIRY);
        let outcome = self.compute(key, |current, now| {
            let allowed = match opts.condition {
                Condition::Always => true,
                Condition::IfAbsent => current.is_none(),
                Condition::IfPresent => current.is_some(),
            };
            let previous = current.cloned();
            if !allowed {
                return (
                    Op::Nop,
                    SetOutcome {
                        written: false,
                        previous,
                    },
                );
            }
            let deadline = match opts.expiry {
                SetExpiry::Default => self.default_deadline(now),
                SetExpiry::Keep => current
                    .map(|e| e.deadline)
                    .unwrap_or_else(|| self.default_deadline(now)),
                SetExpiry::At(at) => at,
            };
            (
                Op::Put(fresh.with_deadline(deadline)),
                SetOutcome {
                    written: true,
                    previous,
                },
            )
        });
        if outcome.written {
            Counters::add(&self.shared.counters.sets, 1);
        }
        Ok(outcome)
    }

    /// Counts `n` writes that another tier (Redis) applied for this store's
    /// user: with a Redis tier, SETs go to Redis and L1 only keeps a copy
    /// (through [`LocalStore::fill_if`], which does not count), yet they are
    /// the cache's writes all the same.
    pub fn count_sets(&self, n: u64) {
        Counters::add(&self.shared.counters.sets, n);
    }

    /// Caches `entry`, a copy of what Redis holds, if `may_fill` still
    /// agrees when called under the shard lock (see `tier::guard`). Not
    /// counted as a SET. A value too large for this store, or already
    /// expired, is not cached.
    pub fn fill_if(&self, entry: Entry, may_fill: impl FnOnce() -> bool) -> bool {
        if self.check_entry(entry.key(), entry.value().len()).is_err() {
            return false;
        }
        let fresh = entry.clone();
        self.compute(entry.key(), move |_, now| {
            if (fresh.deadline != NO_EXPIRY && fresh.deadline <= now) || !may_fill() {
                (Op::Nop, false)
            } else {
                (Op::Put(fresh), true)
            }
        })
    }

    /// GETDEL
    pub fn getdel(&self, key: &[u8]) -> Option<Entry> {
        let found = self.compute(key, |current, _| match current {
            Some(e) => (Op::Remove, Some(e.clone())),
            None => (Op::Nop, None),
        });
        self.count_read(found.is_some());
        if found.is_some() {
            Counters::add(&self.shared.counters.deletes, 1);
        }
        found
    }

    /// GETEX
    pub fn getex(&self, key: &[u8], expiry: GetExExpiry) -> Option<Entry> {
        let found = self.compute(key, |current, _| match (current, expiry) {
            (None, _) => (Op::Nop, None),
            (Some(e), GetExExpiry::Unchanged) => (Op::Nop, Some(e.clone())),
            (Some(e), GetExExpiry::Persist) if e.deadline == NO_EXPIRY => (Op::Nop, Some(e.clone())),
            (Some(e), GetExExpiry::Persist) => (Op::Put(e.with_deadline(NO_EXPIRY)), Some(e.clone())),
            (Some(e), GetExExpiry::At(at)) => (Op::Put(e.with_deadline(at)), Some(e.clone())),
        });
        self.count_read(found.is_some());
        found
    }

    /// DEL / UNLINK: how many of `keys` existed and were removed.
    pub fn del<K: AsRef<[u8]>>(&self, keys: &[K]) -> u64 {
        let removed = self.drop_copies(keys);
        self.count_deletes(removed);
        removed
    }

    /// Removes the entries of `keys` without counting a DEL: the Redis tier
    /// dropping copies it can no longer vouch for (a write on its way, an
    /// invalidation). Returns how many were held.
    pub fn drop_copies<K: AsRef<[u8]>>(&self, keys: &[K]) -> u64 {
        let mut removed = 0;
        for key in keys {
            let existed = self.compute(key.as_ref(), |current, _| match current {
                Some(_) => (Op::Remove, true),
                None => (Op::Nop, false),
            });
            removed += existed as u64;
        }
        removed
    }

    /// Counts `n` keys deleted by a command that Redis applied (see
    /// [`LocalStore::count_sets`]).
    pub fn count_deletes(&self, n: u64) {
        Counters::add(&self.shared.counters.deletes, n);
    }

    /// EXISTS: counts every argument that names a live key (repeats count again).
    pub fn exists<K: AsRef<[u8]>>(&self, keys: &[K]) -> u64 {
        keys.iter().filter(|k| self.peek(k.as_ref()).is_some()).count() as u64
    }

    /// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with an absolute deadline. A deadline
    /// at or before now deletes the key, as Redis does.
    pub fn expire(&self, key: &[u8], deadline: u64, cond: ExpireCondition) -> bool {
        self.compute(key, |current, now| {
            let Some(e) = current else { return (Op::Nop, false) };
            let has_ttl = e.deadline != NO_EXPIRY;
            let allowed = match cond {
                ExpireCondition::Always => true,
                ExpireCondition::Nx => !has_ttl,
                ExpireCondition::Xx => has_ttl,
                ExpireCondition::Gt => has_ttl && deadline > e.deadline,
                ExpireCondition::Lt => !has_ttl || deadline < e.deadline,
            };
            if !allowed {
                (Op::Nop, false)
            } else if deadline <= now {
                (Op::Remove, true)
            } else {
                (Op::Put(e.with_deadline(deadline)), true)
            }
        })
    }

    /// A sealed write (see [`crate::core::sealed`]): `value` of `kind` for
    /// Put, `seal` the sentinel (stored as a string), `ms` the TTL. Checked
    /// and written under the shard lock, so no other write interleaves.
    pub fn sealed(
        &self,
        action: SealedAction,
        key: &[u8],
        value: &[u8],
        kind: Kind,
        seal: &[u8],
        ms: u64,
    ) -> Result<bool, CommandError> {
        let held = if action == SealedAction::Seal {
            seal.len()
        } else {
            value.len()
        };
        self.check_entry(key, held)?;
        let fresh = match action {
            SealedAction::Put => Some(Entry::new(key, value, kind, NO_EXPIRY)),
            SealedAction::Seal => Some(Entry::new(key, seal, Kind::Raw, NO_EXPIRY)),
            SealedAction::Retime => None,
        };
        let written = self.compute(key, |current, now| {
            let sealed = current.is_some_and(|e| e.kind == Kind::Raw && e.value() == seal);
            let until = now.saturating_add(ms.max(1));
            match (action, current, fresh) {
                (SealedAction::Put, _, Some(e)) if !sealed => (Op::Put(e.with_deadline(until)), true),
                (SealedAction::Seal, Some(old), Some(e)) => {
                    let deadline = if old.deadline == NO_EXPIRY { until } else { old.deadline };
                    (Op::Put(e.with_deadline(deadline)), true)
                }
                (SealedAction::Retime, Some(old), _) if !sealed => (Op::Put(old.with_deadline(until)), true),
                _ => (Op::Nop, false),
            }
        });
        if written && action == SealedAction::Put {
            Counters::add(&self.shared.counters.sets, 1);
        }
        Ok(written)
    }

    /// PTTL: -2 when the key is missing, -1 when it has no expiry, else ms left.
    pub fn pttl(&self, key: &[u8]) -> i64 {
        let now = self.now_ms();
        match self.peek(key) {
            None => -2,
            Some(e) => e.pttl(now),
        }
    }

    /// TTL: PTTL in seconds, rounded as Redis rounds it.
    pub fn ttl(&self, key: &[u8]) -> i64 {
        match self.pttl(key) {
            ms if ms < 0 => ms,
            ms => (ms + 500) / 1000,
        }
    }

    /// PERSIST
    pub fn persist(&self, key: &[u8]) -> bool {
        self.compute(key, |current, _| match current {
            Some(e) if e.deadline != NO_EXPIRY => (Op::Put(e.with_deadline(NO_EXPIRY)), true),
            _ => (Op::Nop, false),
        })
    }

    /// INCRBY (and INCR/DECR/DECRBY). Keeps the key's TTL, as Redis does.
    pub fn incr_by(&self, key: &[u8], delta: i64) -> Result<i64, CommandError> {
        self.check_key(key)?;
        let result = self.compute(key, |current, now| {
            let (base, deadline) = match current {
                None => (0, self.default_deadline(now)),
                Some(e) => match super::numeric::parse_i64(e.value()) {
                    Some(v) => (v, e.deadline),
                    None => return (Op::Nop, Err(CommandError::NotInteger)),
                },
            };
            match base.checked_add(delta) {
                None => (Op::Nop, Err(CommandError::Overflow)),
                Some(v) => {
                    let entry = Entry::new(key, v.to_string().as_bytes(), Kind::Raw, deadline);
                    (Op::Put(entry), Ok(v))
                }
            }
        });
        if result.is_ok() {
            Counters::add(&self.shared.counters.sets, 1);
        }
        result
    }

    /// INCRBYFLOAT. Returns the new value as Redis writes it.
    pub fn incr_by_float(&self, key: &[u8], delta: f64) -> Result<String, CommandError> {
        self.check_key(key)?;
        // An infinite delta fails below, after the stored value is judged (Redis's order).
        let result = self.compute(key, |current, now| {
            let (base, deadline) = match current {
                None => (0.0, self.default_deadline(now)),
                Some(e) => match super::numeric::parse_f64(e.value()) {
                    Some(v) => (v, e.deadline),
                    None => return (Op::Nop, Err(CommandError::NotFloat)),
                },
            };
            let v = base + delta;
            if !v.is_finite() {
                return (Op::Nop, Err(CommandError::NanOrInfinity));
            }
            let text = super::numeric::format_f64(v);
            let entry = Entry::new(key, text.as_bytes(), Kind::Raw, deadline);
            (Op::Put(entry), Ok(text))
        });
        if result.is_ok() {
            Counters::add(&self.shared.counters.sets, 1);
        }
        result
    }

    /// MGET
    pub fn mget<K: AsRef<[u8]>>(&self, keys: &[K]) -> Vec<Option<Entry>> {
        keys.iter().map(|k| self.get(k.as_ref())).collect()
    }

    /// KEYS: every live key matching the glob, in one go. O(n) and
    /// unbounded: the JS facade pages through [`LocalStore::scan`] instead.
    pub fn keys(&self, pattern: &[u8]) -> Result<Vec<Key>, CommandError> {
        let (next, keys) = self.scan_within(ScanCursor::START, Some(pattern), ScanBudget::unlimited())?;
        debug_assert_eq!(next, 0);
        Ok(keys)
    }

    /// SCAN: the keys matching `pattern` among about `count` from `cursor`
    /// on, and the cursor to go on from (0 when done). Keys present for the
    /// whole iteration are returned, once each. One call does bounded work
    /// (see [`ScanBudget`]): it may return early, with fewer keys (even
    /// none) and a non-zero cursor, as Redis may.
    pub fn scan(&self, cursor: u64, pattern: Option<&[u8]>, count: usize) -> Result<(u64, Vec<Key>), CommandError> {
        let cursor = ScanCursor::decode(cursor, self.shards.len()).ok_or(CommandError::InvalidCursor)?;
        self.scan_within(cursor, pattern, ScanBudget::new(count))
    }

    fn scan_within(
        &self,
        mut cursor: ScanCursor,
        pattern: Option<&[u8]>,
        mut budget: ScanBudget,
    ) -> Result<(u64, Vec<Key>), CommandError> {
        let glob = pattern.map(Glob::new).transpose()?;
        let now = self.now_ms();
        let mut out = Vec::new();
        loop {
            // One lock hold per shard and call: bounded by the budget.
            let resume = self.shards[cursor.shard]
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .walk(cursor.slot, now, |key| {
                    if budget.visit(key, glob.as_ref()) {
                        out.push(Key::from(key.unwrap_or_default()));
                    }
                    !budget.spent()
                });
            cursor = match resume {
                Some(slot) => ScanCursor { slot, ..cursor },
                None if cursor.shard + 1 == self.shards.len() => return Ok((0, out)),
                None => ScanCursor {
                    shard: cursor.shard + 1,
                    slot: 0,
                },
            };
            if budget.spent() {
                return Ok((cursor.encode(), out));
            }
        }
    }

    /// FLUSHALL / FLUSHDB
    pub fn flush(&self) {
        for shard in self.shards.iter() {
            shard.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    /// Entries held, expired ones included until reclaimed.
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }

    /// DBSIZE: live entries (expired ones are reclaimed first).
    pub fn dbsize(&self) -> u64 {
        self.purge_expired();
        self.len() as u64
    }

    /// Reclaims every expired entry now (each shard also does it whenever it
    /// is touched); their 'expired' removals are reported.
    pub fn purge_expired(&self) {
        let now = self.now_ms();
        for shard in self.shards.iter() {
            let mut removed = Vec::new();
            shard
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .expire_due(now, &mut removed);
            self.shared.report(removed);
        }
    }

    /// Counts hits answered by a caller's own front copy of an entry.
    pub fn add_hits(&self, n: u64) {
        Counters::add(&self.shared.counters.hits, n);
    }

    pub fn stats(&self) -> StatsSnapshot {
        let (mut entries, mut bytes) = (0, 0);
        for shard in self.shards.iter() {
            let s = shard.lock().unwrap_or_else(|p| p.into_inner());
            entries += s.len() as u64;
            bytes += s.bytes();
        }
        self.shared.counters.snapshot(entries, bytes)
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
