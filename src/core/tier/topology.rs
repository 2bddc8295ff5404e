//! One server (alone or found through Sentinel) or a cluster, behind one
//! interface: the binding holds an [`AnyTier`] and never asks which.

use std::time::Duration;

use super::cluster::ClusterTier;
use super::connection::{Done, Tier};
use super::error::TierError;
use super::ops::Op;
use super::sentinel::Addr;
use super::stats::TierStats;
use super::subscriber::SubAction;
use super::transport::Reader;

/// The address a single server's reader is filed under.
static ONE: Addr = (String::new(), 0);

pub enum AnyTier {
    One(Tier),
    Cluster(ClusterTier),
}

/// Calls `$call` on whichever tier this is.
macro_rules! either {
    ($self:ident, $t:ident => $call:expr) => {
        match $self {
            AnyTier::One($t) => $call,
            AnyTier::Cluster($t) => $call,
        }
    };
}

impl AnyTier {
    pub fn connect(&self) {
        either!(self, t => t.connect())
    }

    pub fn submit(&self, op: Op, done: Done) {
        either!(self, t => t.submit(op, done))
    }

    pub fn submit_blocking(&self, op: Op, wait: Option<Duration>, done: Done) {
        either!(self, t => t.submit_blocking(op, wait, done))
    }

    pub fn pubsub(&self, action: SubAction, names: Vec<Vec<u8>>, done: Done) {
        either!(self, t => t.pubsub(action, names, done))
    }

    pub fn monitor(&self, done: Done) {
        either!(self, t => t.monitor(done))
    }

    pub fn pin_open(&self) -> Result<u32, TierError> {
        either!(self, t => t.pin_open())
    }

    pub fn pin_submit(&self, pin: u32, op: Op, done: Done) {
        either!(self, t => t.pin_submit(pin, op, done))
    }

    pub fn pin_close(&self, pin: u32) {
        if let AnyTier::One(t) = self {
            t.pin_close(pin);
        }
    }

    /// The readers of the main connections for the JS thread, each with
    /// its server's address (one for a single server, one per primary of a
    /// cluster), for those that are ready.
    pub fn readers(&self) -> Vec<(Addr, Reader)> {
        match self {
            AnyTier::One(t) => t.reader().map(|r| (ONE.clone(), r)).into_iter().collect(),
            AnyTier::Cluster(c) => c.readers(),
        }
    }

    /// Sends what was submitted: whether this thread wrote it itself, and
    /// for each server whose connection it wrote to or handed to the I/O
    /// thread, which (`wrote` gets the address and that answer).
    pub fn kick(&self, mut wrote: impl FnMut(&Addr, bool)) -> bool {
        match self {
            AnyTier::One(t) => {
                let direct = t.kick();
                wrote(&ONE, direct);
                direct
            }
            AnyTier::Cluster(c) => c.kick_each(wrote),
        }
    }

    pub fn report_invalidations(&self, on: bool) {
        either!(self, t => t.report_invalidations(on))
    }

    pub fn drop_connection(&self, why: &str) {
        either!(self, t => t.drop_connection(why))
    }

    pub fn close(&self) {
        either!(self, t => t.close())
    }

    pub fn close_blocking(&self) {
        either!(self, t => t.close_blocking())
    }

    pub fn stats(&self) -> TierStats {
        either!(self, t => t.stats())
    }
}
