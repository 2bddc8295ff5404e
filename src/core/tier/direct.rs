//! A burst sent by the thread that submitted it.
//!
//! Through the dispatcher, every burst wakes the I/O thread to be sent (an
//! eventfd write and a context switch, ~5–10 µs on a small VM): for a
//! command awaited alone, that is a third of its round trip. When nothing
//! stands in the burst's way, the JS thread writes it to the transport
//! itself, at its kick, and the reader completes it. "Nothing in the way"
//! keeps wire order equal to submission order:
//! - every command of the burst is batchable (see [`batch`]): it is one
//!   pipeline whose parts stand alone;
//! - nothing handed to the dispatcher is still unsettled (it could still be
//!   queued behind a reconnection, or not yet written): counted by
//!   `Inner::dispatched`, each handed-over command's `done` counting down;
//! - the connection is ours and ready, the breaker lets it through, and the
//!   direct commands in flight stay under the dispatcher's bound.
//!
//! Otherwise the burst goes to the dispatcher as before. The outcome is
//! accounted for as the dispatcher's `settle` does (breaker, counters,
//! timeouts: the transport's watchdog fails a batch past its deadline).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::batch;
use super::conn::Conn;
use super::connection::{Inner, Job, Route, MAX_BATCH, MAX_IN_FLIGHT};
use super::error::TierError;
use super::stats::TierCounters;
use super::transport::{Outcome, Transport};

/// Sends the submitted burst now if it can go directly (true), else counts
/// it as handed to the dispatcher (false: the caller wakes it).
pub(super) fn send(inner: &Arc<Inner>) -> bool {
    let mut submitted = inner.submitted();
    if submitted.jobs.is_empty() {
        return true;
    }
    let direct = !submitted.stopped
        && submitted.counted == 0
        && inner.dispatched.load(Ordering::Acquire) == 0
        && submitted.jobs.len() <= MAX_BATCH
        && inner.direct.load(Ordering::Acquire) + submitted.jobs.len() <= MAX_IN_FLIGHT
        && submitted.jobs.iter().all(|job| batch::is_batchable(&job.op));
    if direct {
        if let Route::Send(Conn::Own(transport), generation) = inner.route() {
            if inner.breaker.allow() {
                let jobs = std::mem::take(&mut submitted.jobs);
                // Written while the submissions are locked: a burst handed to
                // the dispatcher after this one cannot overtake it.
                write(inner, &transport, generation, jobs);
                return true;
            }
        }
    }
    // Handed over: each command counts until it settles.
    let fresh = submitted.counted..submitted.jobs.len();
    for job in &mut submitted.jobs[fresh] {
        let done = std::mem::replace(&mut job.done, Box::new(|_| {}));
        let owner = Arc::downgrade(inner);
        job.done = Box::new(move |outcome| {
            if let Some(inner) = owner.upgrade() {
                inner.dispatched.fetch_sub(1, Ordering::AcqRel);
            }
            done(outcome);
        });
        inner.dispatched.fetch_add(1, Ordering::AcqRel);
    }
    submitted.counted = submitted.jobs.len();
    false
}

fn write(inner: &Arc<Inner>, transport: &Transport, generation: u64, jobs: Vec<Job>) {
    let n = jobs.len();
    let deadline = jobs[0].deadline;
    let mut work = Vec::with_capacity(n);
    let mut dones = Vec::with_capacity(n);
    for Job { op, tickets, done, .. } in jobs {
        work.push((op, tickets));
        dones.push(done);
    }
    let prepared = batch::prepare(inner, &work);
    let bytes = prepared.pipe.get_packed_pipeline();
    let count = prepared.count;
    inner.direct.fetch_add(n, Ordering::AcqRel);
    let owner = Arc::clone(inner);
    let on_reply = Box::new(move |outcome: Outcome| {
        let inner = owner;
        inner.direct.fetch_sub(n, Ordering::AcqRel);
        // A bug in reading replies back fails the batch, never the reader.
        let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            outcome.map(|values| batch::finish_all(&inner, work, prepared, values))
        }))
        .unwrap_or_else(|_| Err(TierError::Protocol("a bug in tiercache: a batch's replies".into())));
        let c = &inner.counters;
        match outcomes {
            Ok(outcomes) => {
                inner.breaker.success();
                for (done, outcome) in dones.into_iter().zip(outcomes) {
                    if outcome.is_err() {
                        TierCounters::add(&c.errors, 1);
                    }
                    done(outcome);
                }
            }
            Err(e) => {
                match &e {
                    TierError::Timeout => {
                        TierCounters::add(&c.timeouts, n as u64);
                        inner.failed(generation, "commands timed out");
                    }
                    TierError::Unavailable(_) => {
                        TierCounters::add(&c.errors, n as u64);
                        inner.failed(generation, "connection failed");
                    }
                    _ => {
                        TierCounters::add(&c.errors, n as u64);
                        inner.breaker.success();
                    }
                }
                for done in dones {
                    done(Err(e.clone()));
                }
            }
        }
        inner.flush_outcomes();
    });
    transport.request_with(&bytes, 0, count, deadline, on_reply);
}
