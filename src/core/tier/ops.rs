//! The commands of the two-level cache: what each sends to Redis and how L1
//! follows.
//!
//! Reads that miss L1 fetch the value and its PTTL in one round trip and
//! backfill L1 for at most that long. Writes are decided by Redis: L1's copy
//! is dropped before sending (so no reader in this process sees the old value
//! once the write is on its way) and, for SET and MSET, the written value is
//! cached after Redis acknowledges it. Every fill goes through the guard.

use std::sync::Arc;

use redis::{Cmd, Pipeline, Value};

use super::batch;
use super::conn::Conn;
use super::connection::Inner;
use super::error::TierError;
use super::generic::{resp2_reply, transaction_reply};
use super::guard::Ticket;
use super::reply::TierReply;
use super::stats::TierCounters;
use super::wire;
use crate::core::entry::{Entry, Kind, NO_EXPIRY};
use crate::core::local::Condition;
use crate::core::sealed::SealedAction;

/// SET's expiry, as the facade parsed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No expiry given: the cache's default TTL, if any.
    Default,
    /// KEEPTTL
    Keep,
    /// EX / PX, in ms from now.
    In(u64),
    /// EXAT / PXAT, in Unix ms.
    At(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetExMode {
    Unchanged,
    Persist,
    In(u64),
    At(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireMode {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

#[derive(Debug, Clone)]
pub enum Op {
    /// GET (or getBuffer). `fill: false` reads Redis without touching L1.
    Get {
        key: Vec<u8>,
        buffer: bool,
        fill: bool,
    },
    MGet {
        keys: Vec<Vec<u8>>,
        fill: bool,
    },
    Set {
        key: Vec<u8>,
        payload: Vec<u8>,
        kind: Kind,
        expiry: Expiry,
        condition: Condition,
        get: bool,
    },
    MSet {
        entries: Vec<(Vec<u8>, Vec<u8>, Kind)>,
    },
    GetDel {
        key: Vec<u8>,
    },
    GetEx {
        key: Vec<u8>,
        mode: GetExMode,
    },
    Del {
        keys: Vec<Vec<u8>>,
    },
    Exists {
        keys: Vec<Vec<u8>>,
    },
    /// PEXPIRE (relative ms) or PEXPIREAT (Unix ms).
    Expire {
        key: Vec<u8>,
        ms: i64,
        absolute: bool,
        mode: ExpireMode,
    },
    Pttl {
        key: Vec<u8>,
        seconds: bool,
    },
    Persist {
        key: Vec<u8>,
    },
    /// INCRBY, or DECRBY with `decrement`; Redis parses the amount.
    IncrBy {
        key: Vec<u8>,
        amount: String,
        decrement: bool,
    },
    IncrByFloat {
        key: Vec<u8>,
        delta: String,
    },
    Keys {
        pattern: Vec<u8>,
    },
    Scan {
        cursor: String,
        pattern: Option<Vec<u8>>,
        count: Option<u64>,
    },
    /// FLUSHDB (or FLUSHALL with `all`).
    Flush {
        all: bool,
    },
    DbSize,
    Ping,
    /// A lease (a short-lived lock) on `key`, which L1 never caches: see
    /// [`LeaseAction`]. Used by getOrSet's `lock` so that one instance
    /// among many runs a loader.
    Lease {
        action: LeaseAction,
        key: Vec<u8>,
        token: Vec<u8>,
        ms: u64,
    },
    /// A sealed write (see [`SealedAction`]): one script, so the seal is
    /// checked and the key written atomically. L1's copy is dropped, never filled.
    Sealed {
        action: SealedAction,
        key: Vec<u8>,
        payload: Vec<u8>,
        kind: Kind,
        seal: Vec<u8>,
        ms: u64,
    },
    /// Any Redis command, sent as `argv` with the key prefix added at the
    /// positions `keys`; the reply comes back in RESP2's shapes (see
    /// [`super::generic`]), bulk strings as Buffers with `buffers`.
    /// `written` (positions among `keys`) are the keys it may change: their
    /// L1 copies are dropped first, exactly as for the typed writes, and
    /// fills of them are held off until Redis answers. A command that
    /// changes only a key's TTL is listed there too: L1 cannot follow a
    /// deadline it did not parse, so it drops the copy (the next read
    /// refills it with Redis's TTL). `flush`: the command empties the
    /// database (FLUSHDB, FLUSHALL), and L1 with it.
    Command {
        argv: Vec<Vec<u8>>,
        keys: Vec<usize>,
        written: Vec<usize>,
        flush: bool,
        buffers: bool,
        /// A cacheable read (the command table's `cacheable`) of the key at
        /// argv position `keys[0]`: its reply fills L1 (see
        /// [`super::reply_cache`]).
        cache: bool,
    },
    /// MULTI, `commands` (each an [`Op::Command`]; its `buffers` is
    /// ignored) and EXEC as ONE packed write on the shared multiplexed
    /// connection, so that no other caller's command can land inside the
    /// transaction. L1 follows every written key of every command as for
    /// [`Op::Command`]. The reply is a two-item array: the queueing replies
    /// (QUEUED or an error each) and EXEC's reply (an array of the
    /// commands' replies in RESP2's shapes, errors in their slots; an
    /// EXECABORT error; or nil).
    Transaction {
        commands: Vec<Op>,
        buffers: bool,
    },
}

/// What a lease command does. Each is one script, so it is atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseAction {
    /// Takes the lease for `ms` if free: replies -3; else the holder's
    /// remaining ms (PTTL: -1 no expiry, -2 just gone).
    Acquire,
    /// Drops the lease if `token` still holds it: 1, else 0.
    Release,
    /// Extends the lease to `ms` if `token` still holds it: 1, else 0.
    Extend,
}

impl LeaseAction {
    fn script(self) -> &'static str {
        match self {
            LeaseAction::Acquire => {
                "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -3 end \
                 return redis.call('pttl', KEYS[1])"
            }
            LeaseAction::Release => {
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
            }
            LeaseAction::Extend => {
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end \
                 return 0"
            }
        }
    }
}

impl Op {
    /// The same command, but not filling L1: a read that fills L1 also asks
    /// for the key's PTTL, a second command, which ASKING (one command's
    /// pass to a slot being imported) would not cover.
    pub(super) fn without_fill(self) -> Op {
        match self {
            Op::Get { key, buffer, .. } => Op::Get {
                key,
                buffer,
                fill: false,
            },
            Op::MGet { keys, .. } => Op::MGet { keys, fill: false },
            Op::Command {
                argv,
                keys,
                written,
                flush,
                buffers,
                ..
            } => Op::Command {
                argv,
                keys,
                written,
                flush,
                buffers,
                cache: false,
            },
            op => op,
        }
    }

    /// Every user key the command names, read or written: on a cluster they
    /// must share one hash slot, which decides the node.
    pub(super) fn routing_keys(&self) -> Vec<&[u8]> {
        match self {
            Op::Get { key, .. }
            | Op::Set { key, .. }
            | Op::GetDel { key }
            | Op::GetEx { key, .. }
            | Op::Expire { key, .. }
            | Op::Pttl { key, .. }
            | Op::Persist { key }
            | Op::IncrBy { key, .. }
            | Op::IncrByFloat { key, .. }
            | Op::Lease { key, .. }
            | Op::Sealed { key, .. } => vec![key.as_slice()],
            Op::MGet { keys, .. } | Op::Del { keys } | Op::Exists { keys } => keys.iter().map(Vec::as_slice).collect(),
            Op::MSet { entries } => entries.iter().map(|(k, _, _)| k.as_slice()).collect(),
            Op::Command { argv, keys, .. } => keys.iter().filter_map(|&i| argv.get(i)).map(Vec::as_slice).collect(),
            Op::Transaction { commands, .. } => commands.iter().flat_map(Op::routing_keys).collect(),
            Op::Keys { .. } | Op::Scan { .. } | Op::Flush { .. } | Op::DbSize | Op::Ping => Vec::new(),
        }
    }

    /// The user keys this command writes (their L1 copies are dropped first).
    fn written_keys(&self) -> Vec<&[u8]> {
        match self {
            Op::Set { key, .. }
            | Op::GetDel { key }
            | Op::Persist { key }
            | Op::IncrBy { key, .. }
            | Op::IncrByFloat { key, .. }
            | Op::Sealed { key, .. } => vec![key.as_slice()],
            Op::GetEx { key, mode } if *mode != GetExMode::Unchanged => vec![key.as_slice()],
            Op::Del { keys } => keys.iter().map(Vec::as_slice).collect(),
            Op::MSet { entries } => entries.iter().map(|(k, _, _)| k.as_slice()).collect(),
            Op::Command { argv, written, .. } => {
                written.iter().filter_map(|&i| argv.get(i)).map(Vec::as_slice).collect()
            }
            Op::Transaction { commands, .. } => commands.iter().flat_map(Op::written_keys).collect(),
            _ => Vec::new(),
        }
    }

    /// Keys whose TTL this command changes but not their value: L1 keeps its
    /// copy (the value stays right) and follows the new TTL once Redis has
    /// applied it; fills are held off meanwhile like for writes.
    fn retimed_keys(&self) -> Vec<&[u8]> {
        match self {
            Op::Expire { key, .. } => vec![key.as_slice()],
            _ => Vec::new(),
        }
    }
}

/// The guard tickets of one command, taken when it is submitted (on the
/// caller's thread, so the L1 copy of a written key is gone before the
/// caller's next read): read tickets for the keys it may fill, write tickets
/// for the keys it changes. Writes are released however the command ends
/// (reply, error, or a timeout dropping it).
pub(super) struct Tickets {
    inner: Arc<Inner>,
    reads: Vec<Ticket>,
    writes: Vec<Ticket>,
    ended: bool,
}

impl Tickets {
    pub(super) fn take(inner: &Arc<Inner>, op: &Op) -> Tickets {
        let written = op.written_keys();
        let mut writes: Vec<Ticket> = written.iter().map(|k| inner.guard.begin_write(k)).collect();
        writes.extend(op.retimed_keys().iter().map(|k| inner.guard.begin_write(k)));
        if !written.is_empty() {
            inner.store.drop_copies(&written);
            inner.store.changed(None);
        }
        let reads = match op {
            Op::Get { key, .. } => vec![inner.guard.read_ticket(key)],
            Op::MGet { keys, .. } => keys.iter().map(|k| inner.guard.read_ticket(k)).collect(),
            Op::Command {
                argv,
                keys,
                cache: true,
                ..
            } => keys
                .first()
                .and_then(|&i| argv.get(i))
                .map(|k| vec![inner.guard.read_ticket(k)])
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Tickets {
            inner: Arc::clone(inner),
            reads,
            writes,
            ended: false,
        }
    }

    /// The read ticket of a command that may fill L1 (GET, a cacheable read).
    pub(super) fn read(&self) -> Option<&Ticket> {
        self.reads.first()
    }

    /// The read tickets, one per key read (MGET's in key order).
    pub(super) fn reads(&self) -> &[Ticket] {
        &self.reads
    }

    /// The write ticket of the first key written.
    pub(super) fn first_write(&self) -> Option<&Ticket> {
        self.writes.first()
    }

    pub(super) fn end_writes(&mut self) {
        if !self.ended {
            self.ended = true;
            for t in &self.writes {
                self.inner.guard.end_write(t);
            }
        }
    }
}

impl Drop for Tickets {
    fn drop(&mut self) {
        self.end_writes();
    }
}

pub(super) fn prefixed(inner: &Inner, key: &[u8]) -> Vec<u8> {
    let p = &inner.config.key_prefix;
    let mut out = Vec::with_capacity(p.len() + key.len());
    out.extend_from_slice(p);
    out.extend_from_slice(key);
    out
}

/// The key prefix as a glob that matches only itself.
fn escaped_prefix(inner: &Inner) -> Vec<u8> {
    crate::core::glob::escape(&inner.config.key_prefix)
}

fn unprefixed(inner: &Inner, key: Vec<u8>) -> TierReply {
    let p = inner.config.key_prefix.len();
    let user = if key.len() >= p { &key[p..] } else { &key[..] };
    TierReply::Text(String::from_utf8_lossy(user).into_owned())
}

async fn send(conn: &mut Conn, cmd: &Cmd) -> Result<Value, TierError> {
    server_error(conn.command(cmd).await?)
}

pub(super) async fn send_all(conn: &mut Conn, pipe: &Pipeline, count: usize) -> Result<Vec<Value>, TierError> {
    let values = conn.pipeline(pipe, 0, count).await?;
    if values.len() != count {
        return Err(TierError::Protocol(format!(
            "{} replies for {count} commands",
            values.len()
        )));
    }
    Ok(values)
}

pub(super) fn server_error(v: Value) -> Result<Value, TierError> {
    match v {
        Value::ServerError(e) => Err(TierError::from_redis(&e.into())),
        v => Ok(v),
    }
}

pub(super) fn int(v: Value) -> Result<i64, TierError> {
    match server_error(v)? {
        Value::Int(n) => Ok(n),
        other => Err(TierError::Protocol(format!("expected an integer, got {other:?}"))),
    }
}

pub(super) fn bytes(v: Value) -> Result<Option<Vec<u8>>, TierError> {
    match server_error(v)? {
        Value::Nil => Ok(None),
        Value::BulkString(b) => Ok(Some(b)),
        Value::SimpleString(s) => Ok(Some(s.into_bytes())),
        Value::VerbatimString { text, .. } => Ok(Some(text.into_bytes())),
        other => Err(TierError::Protocol(format!("expected a string, got {other:?}"))),
    }
}

pub(super) fn ok_or_nil(v: Value) -> Result<bool, TierError> {
    match server_error(v)? {
        Value::Okay => Ok(true),
        Value::SimpleString(s) if s == "OK" => Ok(true),
        Value::Nil => Ok(false),
        other => Err(TierError::Protocol(format!("expected OK or nil, got {other:?}"))),
    }
}

/// The entry for `key` from Redis's bytes, with L1's deadline.
pub(super) fn entry(key: &[u8], stored: &[u8], deadline: u64) -> Entry {
    let (kind, payload) = wire::decode(stored);
    Entry::new(key, payload, kind, deadline)
}

pub(super) fn value_reply(entry: Option<Entry>, buffer: bool) -> TierReply {
    match entry {
        None => TierReply::Null,
        Some(e) if buffer => TierReply::Buffer(e),
        Some(e) => TierReply::Value(e),
    }
}

/// L1's deadline for a copy of a value Redis holds for `pttl` more ms,
/// measured from `sent` (before Redis ran the command, so the copy never
/// outlives the original). None: not worth caching.
pub(super) fn copy_deadline(inner: &Inner, sent: u64, redis_deadline: Option<u64>) -> Option<u64> {
    let cap = inner.config.l1_ttl_ms.map(|ttl| sent.saturating_add(ttl));
    let deadline = match (redis_deadline, cap) {
        (None, None) => NO_EXPIRY,
        (Some(d), None) | (None, Some(d)) => d,
        (Some(d), Some(c)) => d.min(c),
    };
    if deadline != NO_EXPIRY && deadline <= sent {
        None
    } else {
        Some(deadline)
    }
}

/// L1's deadline for a copy of a key Redis answered PTTL `pttl` for (sent
/// at `sent`), or None when it must not be cached (gone, or expiring).
pub(super) fn deadline_for_pttl(inner: &Inner, pttl: i64, sent: u64) -> Option<u64> {
    let redis_deadline = match pttl {
        -1 => Some(None),
        ms if ms > 0 => Some(Some(sent.saturating_add(ms as u64))),
        // -2 (absent, or expired between the read and PTTL) or 0: do not cache.
        _ => None,
    };
    redis_deadline.and_then(|d| copy_deadline(inner, sent, d))
}

fn fill(inner: &Inner, ticket: &Ticket, e: Entry) {
    inner.store.fill_if(e, || inner.guard.may_fill(ticket));
}

impl Op {
    /// GETEX without options is GET.
    pub(super) fn normalized(self) -> Op {
        match self {
            Op::GetEx {
                key,
                mode: GetExMode::Unchanged,
            } => Op::Get {
                key,
                buffer: false,
                fill: true,
            },
            op => op,
        }
    }
}

/// A command's future, boxed per kind of command: GET, the typed commands
/// that are one request and the generic commands, the common case, run as
/// a batch of one (see [`batch`]: the same
/// parts as when a burst shares a pipeline), a small future of their own;
/// the others share one large state machine. (A single future for all of
/// them measured ~2 KB, moved several times per command.)
pub(super) type RunFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<TierReply, TierError>> + Send + 'a>>;

pub(super) fn run(inner: &Inner, conn: Conn, op: Op, tickets: Tickets) -> RunFuture<'_> {
    if batch::is_batchable(&op) {
        return Box::pin(batch::run_one(inner, conn, op, tickets));
    }
    Box::pin(run_other(inner, conn, op, tickets))
}

async fn run_other(inner: &Inner, mut conn: Conn, op: Op, mut writes: Tickets) -> Result<TierReply, TierError> {
    let sent = inner.store.now_ms();
    let c = &mut conn;
    let reply = match op {
        // Sends nothing (the others are batch parts: see typed.rs).
        Op::MGet { .. } => TierReply::List(Vec::new()),
        Op::MSet { entries } => {
            let ttl = inner.config.default_ttl_ms;
            let answer = match ttl {
                None => {
                    let mut cmd = redis::cmd("MSET");
                    for (k, v, kind) in &entries {
                        cmd.arg(prefixed(inner, k)).arg(wire::encode(*kind, v));
                    }
                    send(c, &cmd).await?
                }
                Some(ms) => {
                    // MSET cannot set a TTL: the same, atomically, as SETs.
                    let mut pipe = redis::pipe();
                    pipe.atomic();
                    for (k, v, kind) in &entries {
                        pipe.cmd("SET")
                            .arg(prefixed(inner, k))
                            .arg(wire::encode(*kind, v))
                            .arg("PX")
                            .arg(ms);
                    }
                    let exec = c.pipeline(&pipe, entries.len() + 1, 1).await?;
                    for result in exec {
                        match server_error(result)? {
                            Value::Array(items) => {
                                for item in items {
                                    server_error(item)?;
                                }
                            }
                            _ => return Err(TierError::Protocol("EXEC was aborted".into())),
                        }
                    }
                    Value::Okay
                }
            };
            server_error(answer)?;
            writes.end_writes();
            inner.store.count_sets(entries.len() as u64);
            if let Some(d) = copy_deadline(inner, sent, ttl.map(|ms| sent.saturating_add(ms))) {
                for ((k, v, kind), t) in entries.iter().zip(&writes.writes) {
                    fill(inner, t, Entry::new(k, v, *kind, d));
                }
            }
            TierReply::Status("OK")
        }
        Op::Keys { pattern } => {
            let mut full = escaped_prefix(inner);
            full.extend_from_slice(&pattern);
            let mut cmd = redis::cmd("KEYS");
            cmd.arg(full);
            match server_error(send(c, &cmd).await?)? {
                Value::Array(items) | Value::Set(items) => TierReply::List(
                    items
                        .into_iter()
                        .filter_map(|v| bytes(v).ok().flatten())
                        .map(|k| unprefixed(inner, k))
                        .collect(),
                ),
                other => return Err(TierError::Protocol(format!("KEYS replied {other:?}"))),
            }
        }
        Op::Scan { cursor, pattern, count } => {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(&cursor);
            if pattern.is_some() || !inner.config.key_prefix.is_empty() {
                let mut full = escaped_prefix(inner);
                full.extend_from_slice(pattern.as_deref().unwrap_or(b"*"));
                cmd.arg("MATCH").arg(full);
            }
            if let Some(n) = count {
                cmd.arg("COUNT").arg(n);
            }
            match server_error(send(c, &cmd).await?)? {
                Value::Array(mut parts) if parts.len() == 2 => {
                    let keys = parts.pop().unwrap_or(Value::Nil);
                    let next = bytes(parts.pop().unwrap_or(Value::Nil))?.unwrap_or_default();
                    let keys = match keys {
                        Value::Array(items) | Value::Set(items) => items
                            .into_iter()
                            .filter_map(|v| bytes(v).ok().flatten())
                            .map(|k| unprefixed(inner, k))
                            .collect(),
                        other => return Err(TierError::Protocol(format!("SCAN replied {other:?}"))),
                    };
                    TierReply::List(vec![
                        TierReply::Text(String::from_utf8_lossy(&next).into_owned()),
                        TierReply::List(keys),
                    ])
                }
                other => return Err(TierError::Protocol(format!("SCAN replied {other:?}"))),
            }
        }
        Op::Flush { all } => {
            forget_all(inner);
            server_error(send(c, &redis::cmd(if all { "FLUSHALL" } else { "FLUSHDB" })).await?)?;
            // Our own flush is not echoed (NOLOOP): drop what filled meanwhile.
            forget_all(inner);
            TierReply::Status("OK")
        }
        Op::DbSize => TierReply::Int(int(send(c, &redis::cmd("DBSIZE")).await?)?),
        Op::Lease { action, key, token, ms } => {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(action.script())
                .arg(1)
                .arg(prefixed(inner, &key))
                .arg(&token)
                .arg(ms);
            TierReply::Int(int(send(c, &cmd).await?)?)
        }
        Op::Sealed {
            action,
            key,
            payload,
            kind,
            seal,
            ms,
        } => {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(action.script())
                .arg(1)
                .arg(prefixed(inner, &key))
                .arg(&seal)
                .arg(wire::encode(kind, &payload))
                .arg(ms.max(1));
            TierReply::Int(int(send(c, &cmd).await?)?)
        }
        Op::Ping => {
            server_error(send(c, &redis::cmd("PING")).await?)?;
            TierReply::Status("PONG")
        }
        // Only what does not batch comes here (see `batch::is_batchable`):
        // FLUSHDB / FLUSHALL, which empty L1 around the send (never a
        // cached read), and an empty argv.
        Op::Command {
            argv,
            keys,
            flush,
            buffers,
            ..
        } => {
            let Some(name) = argv.first() else {
                return Err(TierError::Reply("ERR empty command".into()));
            };
            let cmd = generic_cmd(inner, &argv, &keys);
            if flush {
                forget_all(inner);
            }
            let answer = conn_reply(c, &cmd).await?;
            if flush {
                // Our own flush is not echoed (NOLOOP): drop what filled meanwhile.
                forget_all(inner);
            }
            TierReply::Generic {
                value: resp2_reply(name, answer)?,
                buffers,
            }
        }
        Op::Transaction { commands, buffers } => transaction(inner, c, commands, buffers).await?,
        // GET and the typed commands run as batch parts (see `run`).
        _ => return Err(TierError::Protocol("a batch part reached run_other".into())),
    };
    writes.end_writes();
    Ok(reply)
}

/// The command `argv` with `keyPrefix` on the arguments at positions `keys`.
pub(super) fn generic_cmd(inner: &Inner, argv: &[Vec<u8>], keys: &[usize]) -> Cmd {
    // One flag per argument: a command may carry thousands of keys (DEL, MSET).
    let mut is_key = vec![false; argv.len()];
    for &i in keys {
        if let Some(flag) = is_key.get_mut(i) {
            *flag = true;
        }
    }
    let mut cmd = Cmd::new();
    for (arg, is_key) in argv.iter().zip(is_key) {
        if is_key {
            cmd.arg(prefixed(inner, arg));
        } else {
            cmd.arg(arg);
        }
    }
    cmd
}

/// Runs [`Op::Transaction`]: MULTI, the commands and EXEC written as one
/// packed pipeline, so the multiplexed connection cannot interleave another
/// caller's command between them (it writes each request whole, in order).
async fn transaction(inner: &Inner, c: &mut Conn, commands: Vec<Op>, buffers: bool) -> Result<TierReply, TierError> {
    let mut names = Vec::with_capacity(commands.len());
    let mut pipe = Pipeline::new();
    pipe.add_command(redis::cmd("MULTI"));
    let mut flush = false;
    for op in &commands {
        let Op::Command {
            argv, keys, flush: f, ..
        } = op
        else {
            return Err(TierError::Reply(
                "ERR only commands can be queued in a transaction".into(),
            ));
        };
        let Some(name) = argv.first() else {
            return Err(TierError::Reply("ERR empty command".into()));
        };
        names.push(name.clone());
        pipe.add_command(generic_cmd(inner, argv, keys));
        flush |= *f;
    }
    pipe.add_command(redis::cmd("EXEC"));
    if flush {
        forget_all(inner);
    }
    let count = names.len() + 2;
    let values = send_all(c, &pipe, count).await?;
    if flush {
        // Our own flush is not echoed (NOLOOP): drop what filled meanwhile.
        forget_all(inner);
    }
    Ok(TierReply::Generic {
        value: transaction_reply(&names, values),
        buffers,
    })
}

/// Empties L1 and refuses the fills already under way (a flush of Redis).
fn forget_all(inner: &Inner) {
    inner.guard.invalidate_all();
    inner.store.flush();
    inner.store.changed(None);
}

/// The reply to `cmd` as Redis sent it, error replies included (the generic
/// path converts them); only a transport failure is an error here.
async fn conn_reply(conn: &mut Conn, cmd: &Cmd) -> Result<Value, TierError> {
    conn.command(cmd).await
}

pub(super) fn count_read(inner: &Inner, hit: bool) {
    let c = &inner.counters;
    TierCounters::add(if hit { &c.hits } else { &c.misses }, 1);
}

/// The reply to a read, and L1's copy of it when allowed.
pub(super) fn read_reply(
    inner: &Inner,
    ticket: &Ticket,
    key: &[u8],
    stored: Option<Vec<u8>>,
    pttl: i64,
    sent: u64,
    buffer: bool,
) -> TierReply {
    count_read(inner, stored.is_some());
    let Some(stored) = stored else {
        return TierReply::Null;
    };
    let deadline = deadline_for_pttl(inner, pttl, sent);
    let e = entry(key, &stored, deadline.unwrap_or(NO_EXPIRY));
    if deadline.is_some() {
        fill(inner, ticket, e.clone());
    }
    value_reply(Some(e), buffer)
}
