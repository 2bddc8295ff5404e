//! Pinned connections: a connection of its own that one client holds from
//! WATCH to EXEC (ioredis's `watch` then `multi().exec()`). A WATCH holds
//! for the connection that sent it, so on the shared one any other caller's
//! EXEC or UNWATCH would end it, and its transaction could land elsewhere;
//! here the watch, the reads the client sends there and the transaction all
//! go over the one connection nobody else uses.
//!
//! Each pin runs its requests one at a time, in submission order, on one
//! task, with `commandTimeout` each; it opens its connection on its first
//! request. Once that connection is lost (closed by Redis, a transport
//! failure, a timeout) every later request of the pin fails: a new
//! connection would run the transaction without the watch, which is the lost
//! update WATCH exists to prevent. The owner closes the pin (after EXEC,
//! DISCARD, UNWATCH, or a failure), which drops the connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};

use futures_util::future::FutureExt;
use redis::aio::MultiplexedConnection;
use redis::{PushInfo, PushKind};
use tokio::sync::mpsc;

use super::conn::Conn;
use super::connection::{Done, Inner};
use super::dedicated;
use super::error::TierError;
use super::ops::{self, Op, Tickets};

/// Pins open at once, per tier: more are refused rather than opening
/// connections without bound (a watch never followed by EXEC holds one).
pub(super) const MAX_PINS: usize = 64;

pub(super) struct Request {
    pub(super) op: Op,
    pub(super) tickets: Tickets,
    pub(super) done: Done,
}

/// The open pins of a tier, by id.
#[derive(Default)]
pub(super) struct Pins {
    next: AtomicU32,
    open: Mutex<HashMap<u32, mpsc::UnboundedSender<Request>>>,
}

impl Pins {
    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u32, mpsc::UnboundedSender<Request>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new pin's id and its request queue; None when MAX_PINS are open.
    pub(super) fn add(&self) -> Option<(u32, mpsc::UnboundedReceiver<Request>)> {
        let mut open = self.open();
        if open.len() >= MAX_PINS {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let (tx, rx) = mpsc::unbounded_channel();
        open.insert(id, tx);
        Some((id, rx))
    }

    /// Queues `request` on pin `id`; gives its completion back when there is
    /// no such pin (any more).
    pub(super) fn send(&self, id: u32, request: Request) -> Result<(), Done> {
        match self.open().get(&id) {
            Some(tx) => tx.send(request).map_err(|refused| refused.0.done),
            None => Err(request.done),
        }
    }

    /// Ends pin `id`: its queued requests still run, then its connection drops.
    pub(super) fn remove(&self, id: u32) {
        self.open().remove(&id);
    }

    /// Ends every pin (the tier closes).
    pub(super) fn clear(&self) {
        self.open().clear();
    }
}

/// Why a pin's later requests fail once its connection is gone.
const LOST: &str = "the connection that held this client's WATCH was lost, so the watch no longer holds: \
                    the transaction was not sent; watch the keys again";

/// The task of one pin: serves its requests in order until the pin is
/// removed (its sender dropped) or the tier closes.
pub(super) async fn serve(weak: Weak<Inner>, mut requests: mpsc::UnboundedReceiver<Request>) {
    let mut conn: Option<(MultiplexedConnection, Arc<AtomicBool>)> = None;
    let mut lost = false;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let request = dedicated::next_request(&inner, &mut requests, |r: Request| r.done).await;
        // None: removed, or the tier closed (what was queued failed).
        let Some(Request { op, tickets, done }) = request else {
            return;
        };
        if conn.as_ref().is_some_and(|(_, dead)| dead.load(Ordering::Acquire)) {
            lost = true;
        }
        if lost {
            done(Err(TierError::Unavailable(LOST.into())));
            inner.flush_outcomes();
            continue;
        }
        if conn.is_none() {
            let dead = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&dead);
            let pushes = Box::new(move |info: PushInfo| {
                if info.kind == PushKind::Disconnection {
                    flag.store(true, Ordering::Release);
                }
            });
            match dedicated::open(&inner, Some(pushes)).await {
                Ok(c) => conn = Some((c, dead)),
                Err(e) => {
                    // Nothing was watched on a connection that never opened.
                    done(Err(e));
                    inner.flush_outcomes();
                    continue;
                }
            }
        }
        let Some((c, _)) = conn.as_ref() else { continue };
        let work =
            std::panic::AssertUnwindSafe(ops::run(&inner, Conn::Multiplexed(c.clone()), op, tickets)).catch_unwind();
        let outcome = tokio::select! {
            biased;
            _ = inner.dedicated.until_closed() => Err(TierError::Closed),
            r = tokio::time::timeout(inner.config.command_timeout, work) => match r {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_)) => Err(TierError::Protocol("a bug in tiercache: a pinned command panicked".into())),
                Err(_) => Err(TierError::Timeout),
            },
        };
        // A reply (even an error reply) leaves the connection sound; anything
        // else may have lost it, and with it the watch.
        if !matches!(outcome, Ok(_) | Err(TierError::Reply(_) | TierError::Command(_))) {
            lost = true;
        }
        done(outcome);
        inner.flush_outcomes();
    }
}
