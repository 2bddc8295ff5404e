//! Consecutive commands of one burst sent as one pipeline.
//!
//! Through the multiplexed connection, every request costs a message to the
//! connection's task, a oneshot for its reply and a future of its own on the
//! dispatcher; for a burst of small commands (100 HSETs at once) that, not
//! Redis, is most of the I/O thread's work. A batch makes the burst one
//! request: each command adds its part to one pipeline, and reads its own
//! replies from the one reply vector, in order. Each command keeps its own
//! outcome (an error reply fails that command only); a transport error or
//! the batch's deadline fails them all, as it would have failed each.
//!
//! Only commands whose parts stand alone batch: GET, the typed commands
//! that are one request (see [`typed`]), and the generic commands but
//! FLUSHDB / FLUSHALL (which empty L1 around the send). Transactions, MSET,
//! scripts of the cache patterns and scans keep a request of their own. A
//! batchable command sent alone is a batch of one ([`run_one`]): its parts
//! are written once, here.

use std::vec::IntoIter;

use redis::{Pipeline, Value};

use super::conn::Conn;
use super::connection::Inner;
use super::error::TierError;
use super::generic::resp2_reply;
use super::ops::{self, Op, Tickets};
use super::reply::TierReply;
use super::reply_cache;
use super::typed;
use crate::core::entry::NO_EXPIRY;

/// Whether `op` can share a pipeline with its neighbours.
pub(super) fn is_batchable(op: &Op) -> bool {
    match op {
        Op::Get { .. } => true,
        Op::Command { argv, flush, .. } => !flush && !argv.is_empty(),
        op => typed::is_typed_part(op),
    }
}

/// What one command of a batch sends, hence how it reads its replies.
enum Part {
    /// GET alone (no L1 fill).
    Get,
    /// GET and PTTL: the value and how long L1 may keep it.
    GetFilled,
    /// A generic command, its reply passed on.
    Command,
    /// A cacheable generic read and its key's PTTL (see [`reply_cache`]).
    CachedRead,
    /// A typed command (see [`typed`]) and how many replies it takes.
    Typed(usize),
}

fn part(op: &Op, tickets: &Tickets) -> Part {
    match op {
        Op::Get { fill: true, .. } if tickets.read().is_some() => Part::GetFilled,
        Op::Get { .. } => Part::Get,
        Op::Command { keys, cache: true, .. } if !keys.is_empty() && tickets.read().is_some() => Part::CachedRead,
        Op::Command { .. } => Part::Command,
        // Its count is known once queued.
        _ => Part::Typed(0),
    }
}

/// Adds `op`'s commands to `pipe`; returns how many replies they take.
fn queue(inner: &Inner, op: &Op, part: &mut Part, pipe: &mut Pipeline) -> usize {
    if let Part::Typed(count) = part {
        *count = typed::queue(inner, op, pipe);
        return *count;
    }
    match op {
        Op::Get { key, .. } => {
            let pk = ops::prefixed(inner, key);
            pipe.cmd("GET").arg(&pk);
            if matches!(part, Part::GetFilled) {
                pipe.cmd("PTTL").arg(&pk);
                return 2;
            }
            1
        }
        Op::Command { argv, keys, .. } => {
            pipe.add_command(ops::generic_cmd(inner, argv, keys));
            if matches!(part, Part::CachedRead) {
                pipe.cmd("PTTL").arg(ops::prefixed(inner, &argv[keys[0]]));
                return 2;
            }
            1
        }
        // Not batchable (see is_batchable): never queued here.
        _ => 0,
    }
}

/// `op`'s outcome from its replies, taken from `values` in order.
fn finish(
    inner: &Inner,
    op: Op,
    part: Part,
    tickets: &mut Tickets,
    sent: u64,
    values: &mut IntoIter<Value>,
) -> Result<TierReply, TierError> {
    if let Part::Typed(count) = part {
        // Its replies all taken, whatever it makes of them.
        let own: Vec<Value> = values.take(count).collect();
        return typed::finish(inner, op, tickets, sent, own);
    }
    let mut next = || values.next().unwrap_or(Value::Nil);
    // Present for the parts that read it (see `part`).
    let ticket = tickets
        .read()
        .ok_or_else(|| TierError::Protocol("a read without its ticket".into()));
    match (op, part) {
        (Op::Get { key, buffer, .. }, Part::Get) => {
            let stored = ops::bytes(next())?;
            ops::count_read(inner, stored.is_some());
            Ok(ops::value_reply(
                stored.map(|b| ops::entry(&key, &b, NO_EXPIRY)),
                buffer,
            ))
        }
        (Op::Get { key, buffer, .. }, _) => {
            let (stored, pttl) = (ops::bytes(next()), ops::int(next()));
            Ok(ops::read_reply(inner, ticket?, &key, stored?, pttl?, sent, buffer))
        }
        (
            Op::Command {
                argv, keys, buffers, ..
            },
            Part::CachedRead,
        ) => {
            let answer = next();
            let pttl = next();
            let value = reply_cache::answered(inner, &argv, keys[0], ticket?, sent, answer, pttl)?;
            Ok(TierReply::Generic { value, buffers })
        }
        (Op::Command { argv, buffers, .. }, _) => Ok(TierReply::Generic {
            value: resp2_reply(&argv[0], next())?,
            buffers,
        }),
        _ => Err(TierError::Protocol(
            "a command that cannot be batched was batched".into(),
        )),
    }
}

/// Runs one batchable command alone (a burst of one, a blocking or pinned
/// connection's command): the same parts as in a batch.
pub(super) async fn run_one(inner: &Inner, conn: Conn, op: Op, tickets: Tickets) -> Result<TierReply, TierError> {
    run(inner, conn, vec![(op, tickets)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(TierError::Protocol("no outcome for a batch of one".into())))
}

/// A batch ready to send: its bytes, how many replies they take, and what
/// reading them back needs.
pub(super) struct Prepared {
    pub(super) pipe: Pipeline,
    pub(super) count: usize,
    parts: Vec<Part>,
    sent: u64,
}

/// Builds the pipeline of `jobs` (nothing is sent).
pub(super) fn prepare(inner: &Inner, jobs: &[(Op, Tickets)]) -> Prepared {
    let sent = inner.store.now_ms();
    let mut pipe = redis::pipe();
    let mut count = 0;
    let mut parts: Vec<Part> = jobs.iter().map(|(op, tickets)| part(op, tickets)).collect();
    for ((op, _), part) in jobs.iter().zip(&mut parts) {
        count += queue(inner, op, part, &mut pipe);
    }
    Prepared {
        pipe,
        count,
        parts,
        sent,
    }
}

/// Each command's outcome from the batch's replies, in order.
pub(super) fn finish_all(
    inner: &Inner,
    jobs: Vec<(Op, Tickets)>,
    prepared: Prepared,
    values: Vec<Value>,
) -> Vec<Result<TierReply, TierError>> {
    let Prepared { parts, sent, .. } = prepared;
    let mut values = values.into_iter();
    jobs.into_iter()
        .zip(parts)
        .map(|((op, mut tickets), part)| finish(inner, op, part, &mut tickets, sent, &mut values))
        .collect()
}

/// Sends `jobs` as one pipeline on `conn`; each command's outcome in order.
pub(super) async fn run(
    inner: &Inner,
    mut conn: Conn,
    jobs: Vec<(Op, Tickets)>,
) -> Result<Vec<Result<TierReply, TierError>>, TierError> {
    let prepared = prepare(inner, &jobs);
    let values = ops::send_all(&mut conn, &prepared.pipe, prepared.count).await?;
    Ok(finish_all(inner, jobs, prepared, values))
}
