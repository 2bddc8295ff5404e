//! The typed commands that are one request and a reading of its replies
//! (SET, MGET, DEL, EXISTS, PEXPIRE, PTTL, PERSIST, INCRBY, GETDEL, GETEX, …),
//! as parts of a batch (see [`batch`](super::batch)): what each queues, and
//! its outcome from its replies (L1's copy and counters included).
//!
//! As batch parts they share a tick's pipeline, and the JS thread writes and
//! reads them itself (see [`direct`](super::direct)); run by the dispatcher
//! instead, each reply would wake the I/O thread to complete a future there
//! and then JS (docs/internals.md, "The transport").

use redis::{Pipeline, Value};

use super::connection::Inner;
use super::error::TierError;
use super::ops::{
    bytes, copy_deadline, count_read, entry, int, ok_or_nil, prefixed, read_reply, server_error, value_reply,
    ExpireMode, Expiry, GetExMode, Op, Tickets,
};
use super::reply::TierReply;
use super::wire;
use crate::core::entry::{Entry, NO_EXPIRY};
use crate::core::local::Condition;

/// Whether `op` is one of them (an MGET of no key sends nothing: it stays
/// with the dispatcher, which answers it at once).
pub(super) fn is_typed_part(op: &Op) -> bool {
    match op {
        Op::MGet { keys, .. } => !keys.is_empty(),
        Op::Set { .. }
        | Op::GetDel { .. }
        | Op::GetEx { .. }
        | Op::Del { .. }
        | Op::Exists { .. }
        | Op::Expire { .. }
        | Op::Pttl { .. }
        | Op::Persist { .. }
        | Op::IncrBy { .. }
        | Op::IncrByFloat { .. } => true,
        _ => false,
    }
}

/// SET's expiry once the configured default TTL is applied.
fn effective(inner: &Inner, expiry: Expiry) -> Expiry {
    match expiry {
        Expiry::Default => inner.config.default_ttl_ms.map(Expiry::In).unwrap_or(Expiry::Default),
        other => other,
    }
}

/// Adds `op`'s commands to `pipe`; returns how many replies they take.
pub(super) fn queue(inner: &Inner, op: &Op, pipe: &mut Pipeline) -> usize {
    match op {
        Op::MGet { keys, fill } => {
            let full: Vec<Vec<u8>> = keys.iter().map(|k| prefixed(inner, k)).collect();
            pipe.cmd("MGET").arg(&full);
            if !fill {
                return 1;
            }
            // Values and TTLs in one round trip.
            for k in &full {
                pipe.cmd("PTTL").arg(k);
            }
            1 + keys.len()
        }
        Op::Set {
            key,
            payload,
            kind,
            expiry,
            condition,
            get,
        } => {
            let cmd = pipe.cmd("SET").arg(prefixed(inner, key));
            match wire::header(*kind, payload) {
                None => cmd.arg(payload),
                Some(_) => cmd.arg(wire::encode(*kind, payload)),
            };
            let cmd = match effective(inner, *expiry) {
                Expiry::Default => cmd,
                Expiry::Keep => cmd.arg("KEEPTTL"),
                Expiry::In(ms) => cmd.arg("PX").arg(ms),
                Expiry::At(ms) => cmd.arg("PXAT").arg(ms),
            };
            let cmd = match condition {
                Condition::Always => cmd,
                Condition::IfAbsent => cmd.arg("NX"),
                Condition::IfPresent => cmd.arg("XX"),
            };
            if *get {
                cmd.arg("GET");
            }
            1
        }
        Op::GetDel { key } => {
            pipe.cmd("GETDEL").arg(prefixed(inner, key));
            1
        }
        Op::GetEx { key, mode } => {
            let cmd = pipe.cmd("GETEX").arg(prefixed(inner, key));
            match mode {
                GetExMode::Unchanged => cmd,
                GetExMode::Persist => cmd.arg("PERSIST"),
                GetExMode::In(ms) => cmd.arg("PX").arg(ms),
                GetExMode::At(ms) => cmd.arg("PXAT").arg(ms),
            };
            1
        }
        Op::Del { keys } | Op::Exists { keys } => {
            let cmd = pipe.cmd(if matches!(op, Op::Del { .. }) { "DEL" } else { "EXISTS" });
            for k in keys {
                cmd.arg(prefixed(inner, k));
            }
            1
        }
        Op::Expire {
            key,
            ms,
            absolute,
            mode,
        } => {
            let cmd = pipe
                .cmd(if *absolute { "PEXPIREAT" } else { "PEXPIRE" })
                .arg(prefixed(inner, key))
                .arg(*ms);
            match mode {
                ExpireMode::Always => cmd,
                ExpireMode::Nx => cmd.arg("NX"),
                ExpireMode::Xx => cmd.arg("XX"),
                ExpireMode::Gt => cmd.arg("GT"),
                ExpireMode::Lt => cmd.arg("LT"),
            };
            1
        }
        Op::Pttl { key, seconds } => {
            pipe.cmd(if *seconds { "TTL" } else { "PTTL" })
                .arg(prefixed(inner, key));
            1
        }
        Op::Persist { key } => {
            pipe.cmd("PERSIST").arg(prefixed(inner, key));
            1
        }
        Op::IncrBy { key, amount, decrement } => {
            pipe.cmd(if *decrement { "DECRBY" } else { "INCRBY" })
                .arg(prefixed(inner, key))
                .arg(amount);
            1
        }
        Op::IncrByFloat { key, delta } => {
            pipe.cmd("INCRBYFLOAT").arg(prefixed(inner, key)).arg(delta);
            1
        }
        // Not a typed part (see is_typed_part): never queued here.
        _ => 0,
    }
}

/// `op`'s outcome from its replies (`values`: exactly the ones it queued),
/// sent at `sent` (ms, L1's clock).
pub(super) fn finish(
    inner: &Inner,
    op: Op,
    tickets: &mut Tickets,
    sent: u64,
    values: Vec<Value>,
) -> Result<TierReply, TierError> {
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Nil);
    Ok(match op {
        Op::MGet { keys, fill } => {
            let items = match server_error(next())? {
                Value::Array(items) if items.len() == keys.len() => items,
                other => return Err(TierError::Protocol(format!("MGET replied {other:?}"))),
            };
            let mut out = Vec::with_capacity(keys.len());
            if fill {
                for ((key, ticket), item) in keys.iter().zip(tickets.reads()).zip(items) {
                    let pttl = int(next())?;
                    out.push(read_reply(inner, ticket, key, bytes(item)?, pttl, sent, false));
                }
            } else {
                for (key, item) in keys.iter().zip(items) {
                    let stored = bytes(item)?;
                    count_read(inner, stored.is_some());
                    out.push(value_reply(stored.map(|b| entry(key, &b, NO_EXPIRY)), false));
                }
            }
            TierReply::List(out)
        }
        Op::Set {
            key,
            payload,
            kind,
            expiry,
            condition,
            get,
        } => {
            let answer = next();
            let (written, reply) = if get {
                let old = bytes(answer)?;
                let written = match condition {
                    Condition::Always => true,
                    Condition::IfAbsent => old.is_none(),
                    Condition::IfPresent => old.is_some(),
                };
                (written, value_reply(old.map(|b| entry(&key, &b, NO_EXPIRY)), false))
            } else {
                let written = ok_or_nil(answer)?;
                let reply = if written {
                    TierReply::Status("OK")
                } else {
                    TierReply::Null
                };
                (written, reply)
            };
            tickets.end_writes();
            if written {
                inner.store.count_sets(1);
                let redis_deadline = match effective(inner, expiry) {
                    Expiry::Default => Some(None),
                    Expiry::Keep => None,
                    Expiry::In(ms) => Some(Some(sent.saturating_add(ms))),
                    Expiry::At(ms) => Some(Some(ms)),
                };
                if let Some(d) = redis_deadline.and_then(|d| copy_deadline(inner, sent, d)) {
                    if let Some(ticket) = tickets.first_write() {
                        let copy = Entry::new(&key, &payload, kind, d);
                        inner.store.fill_if(copy, || inner.guard.may_fill(ticket));
                    }
                }
            }
            reply
        }
        Op::GetDel { key } => {
            let old = bytes(next())?;
            inner.store.count_deletes(old.is_some() as u64);
            value_reply(old.map(|b| entry(&key, &b, NO_EXPIRY)), false)
        }
        Op::GetEx { key, .. } => {
            let old = bytes(next())?;
            value_reply(old.map(|b| entry(&key, &b, NO_EXPIRY)), false)
        }
        Op::Del { .. } => {
            let removed = int(next())?;
            inner.store.count_deletes(u64::try_from(removed).unwrap_or(0));
            TierReply::Int(removed)
        }
        Op::Expire { key, ms, absolute, .. } => {
            let applied = int(next())?;
            if applied == 1 {
                // Redis's deadline is at least `sent + ms`: L1's copy, if any, ends no later.
                let redis_deadline = if absolute {
                    u64::try_from(ms).unwrap_or(0)
                } else {
                    u64::try_from(ms).map_or(0, |m| sent.saturating_add(m))
                };
                match copy_deadline(inner, sent, Some(redis_deadline.max(1))) {
                    Some(d) if d > inner.store.now_ms() => {
                        inner.store.expire(&key, d, crate::core::local::ExpireCondition::Always);
                    }
                    _ => {
                        inner.store.drop_copies(&[key.as_slice()]);
                    }
                }
                inner.store.changed(None);
            }
            TierReply::Int(applied)
        }
        Op::Exists { .. } | Op::Pttl { .. } | Op::Persist { .. } => TierReply::Int(int(next())?),
        Op::IncrBy { .. } => {
            let n = int(next())?;
            inner.store.count_sets(1);
            TierReply::Int(n)
        }
        Op::IncrByFloat { .. } => {
            let reply = bytes(next())?;
            inner.store.count_sets(1);
            match reply {
                Some(b) => TierReply::Text(String::from_utf8_lossy(&b).into_owned()),
                None => TierReply::Null,
            }
        }
        _ => return Err(TierError::Protocol("not a typed batch part".into())),
    })
}
