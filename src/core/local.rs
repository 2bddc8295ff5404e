//! L1: the in-process store. A `moka::sync::Cache` of byte values with Redis
//! key semantics on top: per-key deadlines checked on every read, atomic
//! read-modify-write commands, bounds by entry count and by bytes.
//!
//! # Guarantees
//! - A read never returns an entry whose deadline has passed, whatever moka's
//!   housekeeping cadence: the deadline is checked against [`Clock`] on every
//!   access, and moka's own expiry only reclaims memory.
//! - Every mutation of one key runs under moka's per-key compute lock, so
//!   `INCR`, `SET NX`, `GETDEL` and friends are atomic across worker threads.
//! - The sum of entry weights never exceeds `max_bytes`, and the entry count
//!   never exceeds `max_entries` (each entry weighs at least
//!   `max_bytes / max_entries`, so one capacity enforces both bounds).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use moka::notification::RemovalCause;
use moka::ops::compute::Op;
use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use moka::Expiry;

use super::clock::{Clock, SystemClock};
use super::entry::{Entry, Kind, NO_EXPIRY};
use super::error::CommandError;
use super::glob;
use super::scan::{ScanCursor, ScanSnapshots};
use super::stats::{Counters, StatsSnapshot};

pub type Key = Box<[u8]>;

/// Bytes charged per entry on top of key and value: moka's per-entry node,
/// the hash-table slot and our `Entry` header, as measured (see README).
pub const ENTRY_OVERHEAD_BYTES: u64 = 96;

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

/// Receives evictions and expirations. Called on whichever thread runs moka's
/// housekeeping, so it must be cheap and must not call back into the store.
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

/// What the eviction listener and the store share.
struct Shared {
    counters: Counters,
    sinks: RwLock<Vec<(u64, RemovalSink)>>,
    fronts: RwLock<Vec<Arc<FrontEpoch>>>,
    next_sink_id: AtomicU64,
    clock: Arc<dyn Clock>,
}

impl Shared {
    fn on_removal(&self, key: &[u8], entry: &Entry, cause: RemovalCause) {
        self.counters.sub_bytes(entry_bytes(key, entry));
        let reason = match cause {
            RemovalCause::Size => Some(RemovalReason::Size),
            RemovalCause::Expired => Some(RemovalReason::Expired),
            // Reads remove an expired entry explicitly: still an expiration.
            RemovalCause::Explicit if entry.is_expired(self.clock.now_ms()) => Some(RemovalReason::Expired),
            RemovalCause::Explicit | RemovalCause::Replaced => None,
        };
        let Some(reason) = reason else { return };
        match reason {
            RemovalReason::Size => Counters::add(&self.counters.evictions_size, 1),
            RemovalReason::Expired => Counters::add(&self.counters.expirations, 1),
        }
        self.bump_fronts(None);
        let sinks = self.sinks.read().unwrap_or_else(|p| p.into_inner());
        for (_, sink) in sinks.iter() {
            sink(key, reason);
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

/// Bytes an entry is charged for in `max_bytes` and in the `bytes` statistic.
pub fn entry_bytes(key: &[u8], entry: &Entry) -> u64 {
    key.len() as u64 + entry.data.len() as u64 + ENTRY_OVERHEAD_BYTES
}

/// Gives moka each entry's remaining lifetime, so it reclaims expired memory.
struct DeadlineExpiry {
    clock: Arc<dyn Clock>,
}

impl DeadlineExpiry {
    fn remaining(&self, entry: &Entry) -> Option<Duration> {
        (entry.deadline != NO_EXPIRY).then(|| Duration::from_millis(entry.deadline.saturating_sub(self.clock.now_ms())))
    }
}

impl Expiry<Key, Entry> for DeadlineExpiry {
    fn expire_after_create(&self, _key: &Key, value: &Entry, _at: Instant) -> Option<Duration> {
        self.remaining(value)
    }
    fn expire_after_update(
        &self,
        _key: &Key,
        value: &Entry,
        _at: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        self.remaining(value)
    }
}

pub struct LocalStore {
    cache: Cache<Key, Entry, ahash::RandomState>,
    config: LocalConfig,
    shared: Arc<Shared>,
    scans: ScanSnapshots,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("config", &self.config)
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
            clock: Arc::clone(&clock),
        });
        // One capacity for both bounds: every entry weighs at least
        // max_bytes / max_entries, so max_entries of them fill the budget.
        let floor = config
            .max_entries
            .map(|n| config.max_bytes.div_ceil(n.max(1)))
            .unwrap_or(1);
        let listener_shared = Arc::clone(&shared);
        let cache = Cache::builder()
            .max_capacity(config.max_bytes)
            .eviction_policy(EvictionPolicy::tiny_lfu())
            .weigher(move |k: &Key, v: &Entry| entry_bytes(k, v).max(floor).min(u32::MAX as u64) as u32)
            .expire_after(DeadlineExpiry {
                clock: Arc::clone(&clock),
            })
            .eviction_listener(move |k: Arc<Key>, v: Entry, cause| listener_shared.on_removal(&k, &v, cause))
            .build_with_hasher(ahash::RandomState::new());
        Self {
            cache,
            config,
            shared,
            scans: ScanSnapshots::default(),
        }
    }

    pub fn config(&self) -> &LocalConfig {
        &self.config
    }

    pub fn now_ms(&self) -> u64 {
        self.shared.clock.now_ms()
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

    fn check_value(&self, value: &[u8]) -> Result<(), CommandError> {
        let max = self.config.max_value_bytes.min(self.config.max_bytes);
        if value.len() as u64 > max {
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

    /// Runs `f` on the live entry of `key` (None when absent or expired) under
    /// the key's lock and applies the operation it returns.
    fn compute<R>(&self, key: &[u8], f: impl FnOnce(Option<&Entry>, u64) -> (Op<Entry>, R)) -> R {
        let now = self.now_ms();
        let mut out = None;
        self.cache.entry(Key::from(key)).and_compute_with(|current| {
            let current = current.map(|e| e.into_value());
            let live = current.as_ref().filter(|e| !e.is_expired(now));
            let expired_present = current.is_some() && live.is_none();
            let (op, result) = f(live, now);
            out = Some(result);
            match op {
                // A deadline already past (EXAT in the past): the key is set
                // and gone at once, as Redis does.
                Op::Put(e) if e.is_expired(now) => {
                    if current.is_some() {
                        Op::Remove
                    } else {
                        Op::Nop
                    }
                }
                Op::Put(e) => {
                    Counters::add(&self.shared.counters.bytes, entry_bytes(key, &e));
                    Op::Put(e)
                }
                Op::Nop if expired_present => Op::Remove,
                other => other,
            }
        });
        out.expect("compute closure always runs")
    }

    /// The live entry of `key` without touching statistics.
    pub fn peek(&self, key: &[u8]) -> Option<Entry> {
        let now = self.now_ms();
        match self.cache.get(key) {
            Some(e) if !e.is_expired(now) => Some(e),
            Some(_) => {
                self.reap(key);
                None
            }
            None => None,
        }
    }

    /// Removes `key` if it is still expired (lazy expiry, as Redis does on access).
    fn reap(&self, key: &[u8]) {
        self.compute(key, |_, _| (Op::Nop, ()));
    }

    fn count_read(&self, hit: bool) {
        let c = &self.shared.counters;
        Counters::add(if hit { &c.hits } else { &c.misses }, 1);
    }

    // ---- commands --------------------------------------------------------

    /// GET
    pub fn get(&self, key: &[u8]) -> Option<Entry> {
        let found = self.peek(key);
        self.count_read(found.is_some());
        found
    }

    /// SET with its options; GET is answered by `previous`.
    pub fn set(&self, key: &[u8], data: Arc<[u8]>, kind: Kind, opts: SetOptions) -> Result<SetOutcome, CommandError> {
        self.check_key(key)?;
        self.check_value(&data)?;
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
            let entry = Entry {
                data: Arc::clone(&data),
                deadline,
                kind,
            };
            (
                Op::Put(entry),
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
        let mut removed = 0;
        for key in keys {
            let existed = self.compute(key.as_ref(), |current, _| match current {
                Some(_) => (Op::Remove, true),
                None => (Op::Nop, false),
            });
            removed += existed as u64;
        }
        Counters::add(&self.shared.counters.deletes, removed);
        removed
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
                Some(e) => match super::numeric::parse_i64(&e.data) {
                    Some(v) => (v, e.deadline),
                    None => return (Op::Nop, Err(CommandError::NotInteger)),
                },
            };
            match base.checked_add(delta) {
                None => (Op::Nop, Err(CommandError::Overflow)),
                Some(v) => {
                    let data: Arc<[u8]> = v.to_string().into_bytes().into();
                    (Op::Put(Entry::new(data, Kind::Raw, deadline)), Ok(v))
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
        if !delta.is_finite() {
            return Err(CommandError::NanOrInfinity);
        }
        let result = self.compute(key, |current, now| {
            let (base, deadline) = match current {
                None => (0.0, self.default_deadline(now)),
                Some(e) => match super::numeric::parse_f64(&e.data) {
                    Some(v) => (v, e.deadline),
                    None => return (Op::Nop, Err(CommandError::NotFloat)),
                },
            };
            let v = base + delta;
            if !v.is_finite() {
                return (Op::Nop, Err(CommandError::NanOrInfinity));
            }
            let text = super::numeric::format_f64(v);
            let data: Arc<[u8]> = text.as_bytes().into();
            (Op::Put(Entry::new(data, Kind::Raw, deadline)), Ok(text))
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

    /// KEYS: every live key matching the glob. O(n): for tooling, not hot paths.
    pub fn keys(&self, pattern: &[u8]) -> Vec<Key> {
        let now = self.now_ms();
        self.cache
            .iter()
            .filter(|(k, e)| !e.is_expired(now) && glob::matches(pattern, k))
            .map(|(k, _)| (*k).clone())
            .collect()
    }

    /// SCAN: up to about `count` keys from `cursor` on, filtered by `pattern`.
    /// Returns the next cursor (0 when done). Keys present for the whole
    /// iteration are returned at least once, as Redis guarantees.
    pub fn scan(&self, cursor: u64, pattern: Option<&[u8]>, count: usize) -> Result<(u64, Vec<Key>), CommandError> {
        let cursor = ScanCursor::decode(cursor).ok_or(CommandError::InvalidCursor)?;
        let now = self.now_ms();
        let snapshot = self.scans.snapshot_for(cursor, || {
            self.cache
                .iter()
                .filter(|(_, e)| !e.is_expired(now))
                .map(|(k, _)| k)
                .collect()
        });
        let (next, page) = snapshot.page(cursor, count.max(1));
        let keys = page
            .into_iter()
            .filter(|k| pattern.is_none_or(|p| glob::matches(p, k)))
            .filter(|k| self.peek(k).is_some())
            .map(|k| (*k).clone())
            .collect();
        Ok((next, keys))
    }

    /// FLUSHALL / FLUSHDB
    pub fn flush(&self) {
        self.cache.invalidate_all();
        self.cache.run_pending_tasks();
        self.scans.clear();
    }

    /// DBSIZE: entries held (like Redis, it may count keys that expired but
    /// were not reclaimed yet; housekeeping runs first to keep that small).
    pub fn dbsize(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }

    /// Runs moka's pending housekeeping (admission, eviction, expiry) now.
    pub fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks();
    }

    /// Counts hits answered by a caller's own front copy of an entry.
    pub fn add_hits(&self, n: u64) {
        Counters::add(&self.shared.counters.hits, n);
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.shared.counters.snapshot(self.cache.entry_count())
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
