//! One server (alone or found through Sentinel) or a cluster, behind one
//! interface: the binding holds an [`AnyTier`] and never asks which.

use std::time::Duration;

use super::cluster::ClusterTier;
use super::connection::{Done, Tier};
use super::error::TierError;
use super::ops::Op;
use super::stats::TierStats;
use super::subscriber::SubAction;
use super::transport::Reader;

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
        match self {
            AnyTier::One(t) => t.pin_submit(pin, op, done),
            // No pin is ever opened on a cluster (pin_open refuses).
            AnyTier::Cluster(_) => done(Err(TierError::Closed)),
        }
    }

    pub fn pin_close(&self, pin: u32) {
        if let AnyTier::One(t) = self {
            t.pin_close(pin);
        }
    }

    /// The main connection's reader for the JS thread: a cluster's
    /// connections are read by the I/O thread.
    pub fn reader(&self) -> Option<Reader> {
        match self {
            AnyTier::One(t) => t.reader(),
            AnyTier::Cluster(_) => None,
        }
    }

    pub fn kick(&self) -> bool {
        either!(self, t => t.kick())
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
