//! Keeps replies that raced with a change from being cached in L1.
//!
//! A reply from Redis describes the key as of when Redis ran the command.
//! If, between that moment and the moment the reply is put in L1, the key
//! changed (an invalidation arrived, or this process sent a write of its
//! own), caching the reply would keep a stale value with nothing left to
//! drop it. So every fill presents a ticket taken before the command was
//! sent, and is accepted only if the key's stripe saw no invalidation and
//! holds no write in flight since. The check runs under the L1 shard lock and
//! invalidations bump the stripe before taking that lock, so a fill either
//! sees the bump or is removed by the invalidation that follows it.
//!
//! Stripes are hashed (4096 of them): two keys sharing one only cost each
//! other a skipped fill, never a stale one.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

const STRIPES: usize = 4096;

#[derive(Default)]
struct Stripe {
    version: AtomicU64,
    writes_in_flight: AtomicU32,
}

pub struct FillGuard {
    stripes: Box<[Stripe]>,
    /// Bumped when everything is invalidated (FLUSHALL, a lost connection).
    global: AtomicU64,
    hasher: ahash::RandomState,
}

/// What a fill must present: the stripe's state when the command was sent.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    stripe: usize,
    version: u64,
    global: u64,
}

impl Default for FillGuard {
    fn default() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Stripe::default()).collect(),
            global: AtomicU64::new(0),
            hasher: ahash::RandomState::new(),
        }
    }
}

impl FillGuard {
    fn stripe_of(&self, key: &[u8]) -> usize {
        (self.hasher.hash_one(key) as usize) & (STRIPES - 1)
    }

    /// A ticket for a read about to be sent.
    pub fn read_ticket(&self, key: &[u8]) -> Ticket {
        let stripe = self.stripe_of(key);
        Ticket {
            stripe,
            version: self.stripes[stripe].version.load(Ordering::SeqCst),
            global: self.global.load(Ordering::SeqCst),
        }
    }

    /// Registers a write about to be sent; pair with [`FillGuard::end_write`].
    /// Any read or write of the key already in flight will not fill.
    pub fn begin_write(&self, key: &[u8]) -> Ticket {
        let stripe = self.stripe_of(key);
        let s = &self.stripes[stripe];
        s.writes_in_flight.fetch_add(1, Ordering::SeqCst);
        let version = s.version.fetch_add(1, Ordering::SeqCst) + 1;
        Ticket {
            stripe,
            version,
            global: self.global.load(Ordering::SeqCst),
        }
    }

    pub fn end_write(&self, ticket: &Ticket) {
        self.stripes[ticket.stripe]
            .writes_in_flight
            .fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether a reply obtained with `ticket` may be cached now. For a write,
    /// call after `end_write`: a write may fill only if it was the only one.
    pub fn may_fill(&self, ticket: &Ticket) -> bool {
        let s = &self.stripes[ticket.stripe];
        s.version.load(Ordering::SeqCst) == ticket.version
            && s.writes_in_flight.load(Ordering::SeqCst) == 0
            && self.global.load(Ordering::SeqCst) == ticket.global
    }

    /// Someone changed `key`: no reply obtained before now may be cached.
    pub fn invalidate(&self, key: &[u8]) {
        self.stripes[self.stripe_of(key)].version.fetch_add(1, Ordering::SeqCst);
    }

    pub fn invalidate_all(&self) {
        self.global.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_fills_unless_the_key_changed_meanwhile() {
        let g = FillGuard::default();
        let t = g.read_ticket(b"k");
        assert!(g.may_fill(&t));
        g.invalidate(b"k");
        assert!(!g.may_fill(&t));
        let t = g.read_ticket(b"k");
        g.invalidate_all();
        assert!(!g.may_fill(&t));
    }

    #[test]
    fn a_read_never_fills_while_a_write_is_in_flight() {
        let g = FillGuard::default();
        let w = g.begin_write(b"k");
        let r = g.read_ticket(b"k");
        assert!(!g.may_fill(&r));
        g.end_write(&w);
        assert!(g.may_fill(&r), "the read was sent after the write began and it is over");
        assert!(g.may_fill(&w));
    }

    #[test]
    fn of_two_overlapping_writes_neither_fills() {
        // Their replies may be handled in either order; only Redis knows
        // which landed last.
        let g = FillGuard::default();
        let a = g.begin_write(b"k");
        let b = g.begin_write(b"k");
        g.end_write(&b);
        assert!(!g.may_fill(&b));
        g.end_write(&a);
        assert!(!g.may_fill(&a));
        let c = g.begin_write(b"k");
        g.end_write(&c);
        assert!(g.may_fill(&c));
    }
}
