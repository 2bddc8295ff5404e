//! Counters of the Redis tier.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct TierCounters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub errors: AtomicU64,
    pub timeouts: AtomicU64,
    pub rejected: AtomicU64,
    pub invalidations: AtomicU64,
    pub flushes: AtomicU64,
    pub connects: AtomicU64,
    pub disconnects: AtomicU64,
}

impl TierCounters {
    #[inline]
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, Default)]
pub struct TierStats {
    /// L2 reads that found the key.
    pub hits: u64,
    /// L2 reads that did not.
    pub misses: u64,
    /// Commands that failed on the transport or with an error reply.
    pub errors: u64,
    /// Commands that got no reply within commandTimeout.
    pub timeouts: u64,
    /// Commands refused at once (not connected, circuit open, queue full).
    pub rejected: u64,
    /// Keys invalidated by Redis.
    pub invalidations: u64,
    /// Times the whole L1 was dropped (FLUSHALL elsewhere, lost connection).
    pub flushes: u64,
    pub connects: u64,
    pub disconnects: u64,
    /// "closed", "open" or "half-open".
    pub breaker: &'static str,
    /// "idle", "connecting", "ready", "lost", "failed" or "closed".
    pub link: &'static str,
}
