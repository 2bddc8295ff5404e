//! Connections of their own, beside the shared one: one per blocking command
//! (BLPOP, XREAD BLOCK, …) while it waits, and the subscriber connection
//! (see [`super::subscriber`]).
//!
//! A blocking command on the shared, multiplexed connection would hold up
//! every command behind it (and the invalidations riding on it), and its
//! wait would be taken for a timeout. Here each one borrows an idle
//! dedicated connection, or opens one, and gives it back once answered: a
//! small pool (at most [`MAX_IDLE`] idle, [`MAX_BUSY`] busy at once).
//! Its deadline is its own (the caller's: the command's timeout plus a
//! margin, or none); it never touches the circuit breaker, which judges the
//! shared connection only, and a lost connection fails it (it is not resent:
//! a pop may already have happened on the server).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::FutureExt;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, PushInfo};
use tokio::sync::{mpsc, watch};

use super::conn::Conn;
use super::connection::{Done, Inner};
use super::error::{describe, TierError};
use super::ops::{self, Op, Tickets};
use super::pinned::Pins;
use super::reply::TierReply;

/// Idle dedicated connections kept for the next blocking command.
const MAX_IDLE: usize = 4;
/// Blocking commands waiting at once; more are refused rather than opening
/// connections without bound.
pub(super) const MAX_BUSY: usize = 64;

pub(super) struct Dedicated {
    idle: Mutex<Vec<MultiplexedConnection>>,
    pub(super) busy: AtomicUsize,
    /// Set once by close: every blocking command and the subscriber end.
    closed: watch::Sender<bool>,
    /// Set once by close or close_blocking (quit): blocking commands end,
    /// the subscriber's pending requests still finish.
    blocking_closed: watch::Sender<bool>,
    /// Connections held by one client from WATCH to EXEC.
    pub(super) pins: Pins,
}

impl Default for Dedicated {
    fn default() -> Self {
        Dedicated {
            idle: Mutex::new(Vec::new()),
            busy: AtomicUsize::new(0),
            closed: watch::channel(false).0,
            blocking_closed: watch::channel(false).0,
            pins: Pins::default(),
        }
    }
}

impl Dedicated {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<MultiplexedConnection>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    pub(super) fn is_blocking_closed(&self) -> bool {
        *self.blocking_closed.borrow()
    }

    /// Ends every blocking command (with Closed) and the subscriber.
    pub(super) fn close(&self) {
        self.closed.send_replace(true);
        self.pins.clear();
        self.close_blocking();
    }

    /// Ends every blocking command (with Closed); the subscriber stays.
    pub(super) fn close_blocking(&self) {
        self.blocking_closed.send_replace(true);
        self.idle().clear();
    }

    /// Drops the idle connections: after the shared connection was lost or
    /// replaced they are likely dead too, and a command sent on a dead one
    /// fails instead of waiting.
    pub(super) fn forget_idle(&self) {
        self.idle().clear();
    }

    /// A receiver of the close signal that holds nothing of the tier (ends
    /// when the tier is closed or dropped).
    pub(super) fn close_signal(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Resolves once the tier is closed.
    pub(super) async fn until_closed(&self) {
        let mut rx = self.closed.subscribe();
        // An error means the sender is gone: closed too.
        let _ = rx.wait_for(|closed| *closed).await;
    }

    /// Resolves once blocking commands are closed.
    async fn until_blocking_closed(&self) {
        let mut rx = self.blocking_closed.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
    }

    fn give_back(&self, conn: MultiplexedConnection) {
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE && !self.is_blocking_closed() {
            idle.push(conn);
        }
    }
}

/// Opens a connection like the shared one (RESP3, authenticated, database
/// selected) but without tracking; `pushes` receives its push messages.
pub(super) async fn open(
    inner: &Inner,
    pushes: Option<Box<dyn Fn(PushInfo) + Send + Sync>>,
) -> Result<MultiplexedConnection, TierError> {
    let mut cfg = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(inner.config.connect_timeout))
        .set_response_timeout(None);
    if let Some(pushes) = pushes {
        cfg = cfg.set_push_sender(move |info: PushInfo| -> Result<(), ()> {
            pushes(info);
            Ok(())
        });
    }
    let client = inner.client();
    let attempt = client.get_multiplexed_async_connection_with_config(&cfg);
    match tokio::time::timeout(inner.config.connect_timeout, attempt).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(TierError::Unavailable(describe(&e))),
        Err(_) => Err(TierError::Unavailable(
            "Redis did not complete the handshake within connectTimeout".into(),
        )),
    }
}

/// Runs one blocking command `op` on a dedicated connection, within `wait`
/// (None: until answered, the connection is lost, or the tier is closed).
pub(super) async fn run_blocking(
    inner: &Arc<Inner>,
    op: Op,
    tickets: Tickets,
    wait: Option<Duration>,
) -> Result<TierReply, TierError> {
    let work = async {
        let reused = inner.dedicated.idle().pop();
        let conn = match reused {
            Some(conn) => conn,
            None => open(inner, None).await?,
        };
        let keep = conn.clone();
        let run = ops::run(inner, Conn::Multiplexed(conn), op, tickets);
        let outcome = match wait {
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(outcome) => outcome,
                // Still blocked on the server: the connection is dropped, not reused.
                Err(_) => return Err(TierError::Timeout),
            },
            None => run.await,
        };
        // A connection that answered (even with an error reply) is sound.
        if matches!(outcome, Ok(_) | Err(TierError::Reply(_))) {
            inner.dedicated.give_back(keep);
        }
        outcome
    };
    // A panic (a bug) fails this command, never the runtime's thread.
    let guarded = std::panic::AssertUnwindSafe(work).catch_unwind();
    tokio::select! {
        biased;
        _ = inner.dedicated.until_blocking_closed() => Err(TierError::Closed),
        outcome = guarded => match outcome {
            Ok(outcome) => outcome,
            Err(_) => Err(TierError::Protocol("a bug in tiercache: a blocking command panicked".into())),
        },
    }
}

/// The next request of a connection's own queue (the subscriber's, a
/// pin's), in submission order; None once the tier closes or the queue's
/// owner drops it, after what was still queued failed with Closed.
pub(super) async fn next_request<T>(
    inner: &Inner,
    requests: &mut mpsc::UnboundedReceiver<T>,
    done_of: impl Fn(T) -> Done,
) -> Option<T> {
    let request = tokio::select! {
        biased;
        _ = inner.dedicated.until_closed() => None,
        r = requests.recv() => r,
    };
    if request.is_none() {
        requests.close();
        while let Ok(r) = requests.try_recv() {
            done_of(r)(Err(TierError::Closed));
        }
        inner.flush_outcomes();
    }
    request
}

/// Takes a busy slot; false when [`MAX_BUSY`] blocking commands already wait.
pub(super) fn take_slot(d: &Dedicated) -> bool {
    if d.busy.fetch_add(1, Ordering::AcqRel) >= MAX_BUSY {
        d.busy.fetch_sub(1, Ordering::AcqRel);
        return false;
    }
    true
}

pub(super) fn release_slot(d: &Dedicated) {
    d.busy.fetch_sub(1, Ordering::AcqRel);
}
