//! The Redis tier's binding: commands are submitted with an id and return at
//! once; their outcomes (and the tier's events) are queued and delivered to
//! the instance's JS callback in batches, one thread-safe call per batch, so
//! a burst of concurrent replies costs one wake-up of the event loop.
//!
//! The batch is a flat array of triples `[id, code, value]`: id 0 is an
//! event (code = its name), otherwise code is null for a reply (value) or
//! the error code (value = message).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use super::errors::{self, invalid_argument};
use super::handle::Handle;
use super::modes::{
    ExpireIf, GetExTtl, KeyCommand, KeysCommand, LeaseStep, SealedStep, ServerCommand, SetTtl, ValueKind, WriteIf,
};
use super::reply::Reply;
use crate::core::tier::generic::Resp2;
use crate::core::tier::reply_cache;
use crate::core::tier::sentinel::Addr;
use crate::core::tier::{
    AnyTier, ClusterTier, Done, ExpireMode, Expiry, GetExMode, MessageKind, Op, SentinelConfig, SubAction, Tier,
    TierConfig, TierError, TierEvent, TierReply, TlsConfig,
};

enum Completion {
    Reply(u32, std::result::Result<TierReply, TierError>),
    Event(TierEvent),
}

type Wake = ThreadsafeFunction<(), (), Batch, Status, false, true>;

/// Outcomes waiting for the JS thread, and whether a delivery is already
/// scheduled (it takes everything queued when it runs).
#[derive(Default)]
struct Pending {
    items: Vec<Completion>,
    scheduled: bool,
}

type Queue = Arc<Mutex<Pending>>;

struct Completions {
    queue: Queue,
    wake: Wake,
}

impl Completions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues without waking JS; [`Completions::flush`] delivers.
    fn push(&self, c: Completion) {
        self.lock().items.push(c);
    }

    /// Takes what is queued (the JS thread delivers it itself).
    #[cfg(unix)]
    fn take(&self) -> Vec<Completion> {
        std::mem::take(&mut self.lock().items)
    }

    fn flush(&self) {
        // Inside the JS thread's own read: it delivers once the read ends.
        #[cfg(unix)]
        if super::poller::reading_here() {
            return;
        }
        let wake = {
            let mut q = self.lock();
            let wake = !q.items.is_empty() && !q.scheduled;
            q.scheduled |= wake;
            wake
        };
        if wake {
            self.wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

pub struct TierHandle {
    tier: AnyTier,
    completions: Arc<Completions>,
    /// The JS thread's pollers of the main connections (see
    /// `tier_read_here`), each with its server's address: one for a single
    /// server, one per primary of a cluster.
    #[cfg(unix)]
    pollers: Mutex<Vec<(Addr, super::poller::Poller)>>,
}

impl TierHandle {
    /// The completion of command `id`: its outcome joins the next batch to JS.
    fn done(&self, id: u32) -> Done {
        let completions = Arc::clone(&self.completions);
        Box::new(move |outcome| completions.push(Completion::Reply(id, outcome)))
    }

    fn submit(&self, id: u32, op: Op) {
        self.tier.submit(op, self.done(id));
    }

    fn pin_submit(&self, id: u32, pin: u32, op: Op) {
        self.tier.pin_submit(pin, op, self.done(id));
    }
}

impl Drop for TierHandle {
    fn drop(&mut self) {
        self.tier.close();
        #[cfg(unix)]
        drop(std::mem::take(
            &mut *self.pollers.lock().unwrap_or_else(|p| p.into_inner()),
        ));
    }
}

/// Delivers the poller's reads to `callback` (the instance's `on_batch`),
/// synchronously, on the JS thread. Owns a reference to the callback and an
/// async context, released when the poller stops (on the JS thread).
#[cfg(unix)]
struct JsDelivery {
    env: sys::napi_env,
    callback: sys::napi_ref,
    context: sys::napi_async_context,
    completions: Arc<Completions>,
}

#[cfg(unix)]
impl JsDelivery {
    unsafe fn new(
        env: sys::napi_env,
        callback: sys::napi_value,
        completions: Arc<Completions>,
    ) -> Result<JsDelivery, String> {
        let check = |status: sys::napi_status, what: &str| {
            if status == sys::Status::napi_ok {
                Ok(())
            } else {
                Err(errors::internal(format!("{what} failed ({status})")))
            }
        };
        let mut reference = std::ptr::null_mut();
        check(
            sys::napi_create_reference(env, callback, 1, &mut reference),
            "napi_create_reference",
        )?;
        let mut name = std::ptr::null_mut();
        let mut context = std::ptr::null_mut();
        let named = sys::napi_create_string_utf8(env, c"tiercache:redis".as_ptr(), -1, &mut name);
        let made = if named == sys::Status::napi_ok {
            sys::napi_async_init(env, std::ptr::null_mut(), name, &mut context)
        } else {
            named
        };
        if let Err(e) = check(made, "napi_async_init") {
            sys::napi_delete_reference(env, reference);
            return Err(e);
        }
        Ok(JsDelivery {
            env,
            callback: reference,
            context,
            completions,
        })
    }

    /// Calls the callback with what is queued, as a callback from the event
    /// loop (so the microtasks run after it, as after any I/O callback).
    fn deliver(&mut self) {
        let items = self.completions.take();
        if items.is_empty() {
            return;
        }
        let env = self.env;
        // SAFETY: on the JS thread of `env` (the poll callback's), inside a
        // handle scope of our own.
        unsafe {
            let mut scope = std::ptr::null_mut();
            if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
                return;
            }
            let mut function = std::ptr::null_mut();
            let mut receiver = std::ptr::null_mut();
            if let Ok(batch) = Batch::to_napi_value(env, Batch(items)) {
                if sys::napi_get_reference_value(env, self.callback, &mut function) == sys::Status::napi_ok
                    && !function.is_null()
                    && sys::napi_get_global(env, &mut receiver) == sys::Status::napi_ok
                {
                    let mut result = std::ptr::null_mut();
                    let called = sys::napi_make_callback(env, self.context, receiver, function, 1, &batch, &mut result);
                    if called == sys::Status::napi_pending_exception {
                        // As for a throwing I/O callback: the process's
                        // uncaught-exception handling.
                        let mut error = std::ptr::null_mut();
                        sys::napi_get_and_clear_last_exception(env, &mut error);
                        sys::napi_fatal_exception(env, error);
                    }
                }
            }
            sys::napi_close_handle_scope(env, scope);
        }
    }
}

#[cfg(unix)]
impl Drop for JsDelivery {
    fn drop(&mut self) {
        // SAFETY: dropped on the JS thread of `env` (see the poller).
        unsafe {
            sys::napi_async_destroy(self.env, self.context);
            sys::napi_delete_reference(self.env, self.callback);
        }
    }
}

struct Batch(Vec<Completion>);

fn reply(r: TierReply) -> Reply {
    match r {
        TierReply::Null => Reply::Null,
        TierReply::Status(s) => Reply::Text(s.to_string()),
        TierReply::Int(n) => Reply::Int(n),
        TierReply::Text(s) => Reply::Text(s),
        TierReply::Value(e) => Reply::Value(e),
        TierReply::Buffer(e) => Reply::Bytes(e),
        TierReply::List(items) => Reply::List(items.into_iter().map(reply).collect()),
        TierReply::Generic { value, buffers } => generic_reply(value, buffers),
    }
}

/// A RESP2 reply as ioredis gives it: bulk and simple strings as strings
/// (Buffers for the `…Buffer` commands, simple strings included, as
/// ioredis), integers as numbers, nil as null.
fn generic_reply(v: Resp2, buffers: bool) -> Reply {
    match v {
        Resp2::Null => Reply::Null,
        Resp2::Int(n) => Reply::Int(n),
        Resp2::Bulk(b) if buffers => Reply::Buffer(b),
        Resp2::Bulk(b) => Reply::Utf8(b),
        Resp2::Status(s) if buffers => Reply::Buffer(s.into_bytes()),
        Resp2::Status(s) => Reply::Text(s),
        Resp2::Array(items) => Reply::List(items.into_iter().map(|i| generic_reply(i, buffers)).collect()),
        Resp2::Error(message) => Reply::Failure(message),
    }
}

fn event(e: TierEvent) -> (&'static str, Reply) {
    let text = |s: String| Reply::Text(s);
    match e {
        TierEvent::Connected => ("connected", Reply::Null),
        TierEvent::ConnectFailed(why) => ("connect-failed", text(why)),
        TierEvent::Lost(why) => ("lost", text(why)),
        TierEvent::Invalidated(None) => ("invalidate", Reply::Null),
        TierEvent::Invalidated(Some(key)) => ("invalidate", text(String::from_utf8_lossy(&key).into_owned())),
        TierEvent::OfflineFlush => ("offline-flush", Reply::Null),
        TierEvent::Message {
            kind,
            pattern,
            channel,
            payload,
        } => {
            let kind = match kind {
                MessageKind::Message => "message",
                MessageKind::PMessage => "pmessage",
                MessageKind::SMessage => "smessage",
            };
            (
                "pubsub",
                Reply::List(vec![
                    text(kind.to_string()),
                    pattern.map_or(Reply::Null, Reply::Buffer),
                    Reply::Buffer(channel),
                    Reply::Buffer(payload),
                ]),
            )
        }
        TierEvent::SubscriberLost(why) => ("subscriber-lost", text(why)),
        TierEvent::MonitorLine(line) => ("monitor", text(line)),
        TierEvent::MonitorLost(why) => ("monitor-lost", text(why)),
    }
}

impl ToNapiValue for Batch {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let mut items = Vec::with_capacity(val.0.len() * 3);
        for c in val.0 {
            match c {
                Completion::Reply(id, Ok(r)) => {
                    items.push(Reply::Int(id as i64));
                    items.push(Reply::Null);
                    items.push(reply(r));
                }
                Completion::Reply(id, Err(e)) => {
                    items.push(Reply::Int(id as i64));
                    items.push(Reply::Text(e.code().as_str().to_string()));
                    items.push(Reply::Text(e.to_string()));
                }
                Completion::Event(e) => {
                    let (name, value) = event(e);
                    items.push(Reply::Int(0));
                    items.push(Reply::Text(name.to_string()));
                    items.push(value);
                }
            }
        }
        Reply::to_napi_value(env, Reply::List(items))
    }
}

#[napi(object)]
pub struct TierOptions {
    pub host: String,
    pub port: u32,
    pub tls: bool,
    pub ca: Option<Buffer>,
    pub cert: Option<Buffer>,
    pub key: Option<Buffer>,
    pub reject_unauthorized: Option<bool>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: u32,
    pub key_prefix: String,
    /// All times in ms.
    pub connect_timeout: f64,
    pub command_timeout: f64,
    pub offline_queue: u32,
    pub breaker_threshold: u32,
    pub breaker_cooldown: f64,
    pub offline_grace: f64,
    pub health_check_interval: f64,
    pub l1_ttl: Option<f64>,
    /// Redis Sentinel (host and port then unused until found).
    pub sentinel: Option<SentinelOptions>,
    /// Redis Cluster: the nodes to read the slot map from first.
    pub cluster: Option<Vec<NodeAddress>>,
}

#[napi(object)]
pub struct SentinelOptions {
    pub sentinels: Vec<NodeAddress>,
    /// The primary's name in the sentinels' configuration.
    pub name: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// In ms: bounds each question to a sentinel.
    pub command_timeout: f64,
    /// Addresses as sentinels report them → as reached from here.
    pub nat_map: Vec<NatMapping>,
    pub update_sentinels: bool,
}

#[napi(object)]
pub struct NodeAddress {
    pub host: String,
    pub port: u32,
}

#[napi(object)]
pub struct NatMapping {
    pub from: NodeAddress,
    pub to: NodeAddress,
}

fn address(a: NodeAddress) -> Result<(String, u16), String> {
    let port = u16::try_from(a.port).map_err(|_| invalid_argument("a node's port must be 0–65535"))?;
    Ok((a.host, port))
}

fn sentinel_config(o: SentinelOptions) -> Result<SentinelConfig, String> {
    Ok(SentinelConfig {
        sentinels: o.sentinels.into_iter().map(address).collect::<Result<_, _>>()?,
        name: o.name,
        username: o.username,
        password: o.password,
        command_timeout: ms(o.command_timeout, "sentinelCommandTimeout")?,
        nat_map: o
            .nat_map
            .into_iter()
            .map(|m| Ok((address(m.from)?, address(m.to)?)))
            .collect::<Result<_, String>>()?,
        update_sentinels: o.update_sentinels,
    })
}

fn ms(value: f64, what: &str) -> Result<Duration, String> {
    if value.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&value) {
        Ok(Duration::from_millis(value as u64))
    } else {
        Err(invalid_argument(format!("{what} must be a number of ms")))
    }
}

fn config(o: TierOptions, default_ttl_ms: Option<u64>) -> Result<TierConfig, String> {
    let port = u16::try_from(o.port).map_err(|_| invalid_argument("port must be 0–65535"))?;
    let tls = o.tls.then(|| TlsConfig {
        ca: o.ca.map(|b| b.to_vec()),
        cert: o.cert.map(|b| b.to_vec()),
        key: o.key.map(|b| b.to_vec()),
        reject_unauthorized: o.reject_unauthorized.unwrap_or(true),
    });
    Ok(TierConfig {
        host: o.host,
        port,
        tls,
        username: o.username,
        password: o.password,
        db: o.db as i64,
        key_prefix: o.key_prefix.into_bytes(),
        connect_timeout: ms(o.connect_timeout, "connectTimeout")?,
        command_timeout: ms(o.command_timeout, "commandTimeout")?,
        offline_queue: o.offline_queue as usize,
        breaker_threshold: o.breaker_threshold,
        breaker_cooldown: ms(o.breaker_cooldown, "breaker.cooldown")?,
        offline_grace: ms(o.offline_grace, "offlineGrace")?,
        health_check_interval: ms(o.health_check_interval, "healthCheckInterval")?,
        l1_ttl_ms: o
            .l1_ttl
            .map(|v| ms(v, "l1Ttl").map(|d| d.as_millis() as u64))
            .transpose()?,
        default_ttl_ms,
        sentinel: o.sentinel.map(sentinel_config).transpose()?,
    })
}

/// Attaches a Redis tier to the instance's store. `on_batch` receives the
/// outcomes and events (see the module comment). Nothing is sent until
/// `tierConnect`.
#[napi(catch_unwind)]
pub fn tier_open(
    handle: &External<Handle>,
    mut options: TierOptions,
    #[napi(ts_arg_type = "(batch: unknown[]) => void")] on_batch: Function<(), ()>,
) -> Result<External<TierHandle>, String> {
    let store = handle.store_arc()?;
    let default_ttl = store.config().default_ttl_ms;
    let cluster = options
        .cluster
        .take()
        .map(|nodes| nodes.into_iter().map(address).collect::<Result<Vec<_>, _>>())
        .transpose()?;
    let config = config(options, default_ttl)?;
    let queue: Queue = Arc::new(Mutex::new(Pending::default()));
    let drain = Arc::clone(&queue);
    let wake: Wake = on_batch
        .build_threadsafe_function::<()>()
        .weak::<true>()
        .callee_handled::<false>()
        .build_callback(move |_ctx| {
            let mut q = drain.lock().unwrap_or_else(|p| p.into_inner());
            q.scheduled = false;
            Ok(Batch(std::mem::take(&mut q.items)))
        })
        .map_err(|e| errors::internal(e.reason.clone()))?;
    let completions = Arc::new(Completions { queue, wake });
    let sink = Arc::clone(&completions);
    let flusher = Arc::clone(&completions);
    let events = Arc::new(move |e| {
        sink.push(Completion::Event(e));
        sink.flush();
    });
    let flush = Arc::new(move || flusher.flush());
    let tier = match cluster {
        None => Tier::new(store, config, events, flush).map(AnyTier::One),
        Some(seeds) => ClusterTier::new(store, config, seeds, events, flush).map(AnyTier::Cluster),
    }
    .map_err(|e| Error::new(e.code().as_str().to_string(), e.to_string()))?;
    Ok(External::new(TierHandle {
        tier,
        completions,
        #[cfg(unix)]
        pollers: Mutex::new(Vec::new()),
    }))
}

/// Reads the main connection on this (the JS) thread from now on, the
/// outcomes handed to `on_batch` as they are read: the facade calls it at
/// each `connected` event. Where libuv cannot be reached (Windows), or
/// refuses, the I/O thread keeps reading.
#[napi(catch_unwind)]
pub fn tier_read_here(
    env: Env,
    t: &External<TierHandle>,
    #[napi(ts_arg_type = "(batch: unknown[]) => void")] on_batch: Function<(), ()>,
) -> Result<(), String> {
    #[cfg(unix)]
    {
        let mut pollers = t.pollers.lock().unwrap_or_else(|p| p.into_inner());
        // The previous connections' pollers, if still there, stop first.
        drop(std::mem::take(&mut *pollers));
        for (addr, reader) in t.tier.readers() {
            // SAFETY: a #[napi] function runs on the JS thread of `env`.
            unsafe {
                let mut delivery = JsDelivery::new(env.raw(), on_batch.raw(), Arc::clone(&t.completions))?;
                // Refused: `reader` was dropped, the I/O thread reads again.
                if let Ok(poller) = super::poller::start(env.raw(), reader, Box::new(move || delivery.deliver())) {
                    pollers.push((addr, poller));
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (env, t, on_batch);
    Ok(())
}

#[napi(catch_unwind)]
pub fn tier_connect(t: &External<TierHandle>) {
    t.tier.connect();
}

/// Sends the commands submitted since the last kick (the facade kicks at the
/// end of the current microtask queue, and every so many commands of a long
/// burst). True when this thread wrote them itself, false when they went to
/// the I/O thread's dispatcher.
#[napi(catch_unwind)]
pub fn tier_kick(t: &External<TierHandle>) -> bool {
    #[cfg(unix)]
    {
        let pollers = t.pollers.lock().unwrap_or_else(|p| p.into_inner());
        t.tier.kick(|addr, direct| {
            if let Some((_, poller)) = pollers.iter().find(|(a, _)| a == addr) {
                poller.poll(direct);
            }
        })
    }
    #[cfg(not(unix))]
    t.tier.kick(|_, _| {})
}

/// Drops the shared connection as a loss would (ioredis's `disconnect(true)`);
/// the facade reconnects by its retry strategy.
#[napi(catch_unwind)]
pub fn tier_drop_connection(t: &External<TierHandle>) {
    t.tier.drop_connection("the connection was dropped by disconnect(true)");
}

#[napi(catch_unwind)]
pub fn tier_close(t: &External<TierHandle>) {
    t.tier.close();
}

/// Whether to deliver an 'invalidate' event per key (only while listened to).
#[napi(catch_unwind)]
pub fn tier_watch_invalidations(t: &External<TierHandle>, on: bool) {
    t.tier.report_invalidations(on);
}

#[napi(object)]
pub struct TierStatsJs {
    pub hits: f64,
    pub misses: f64,
    pub errors: f64,
    pub timeouts: f64,
    pub rejected: f64,
    pub invalidations: f64,
    pub flushes: f64,
    pub connects: f64,
    pub disconnects: f64,
    pub breaker: String,
    pub link: String,
}

/// A cluster's primaries as the slot map last gave them (empty for one
/// server): what `cluster.nodes('master')` connects to.
#[napi(catch_unwind)]
pub fn tier_primaries(t: &External<TierHandle>) -> Vec<NodeAddress> {
    match &t.tier {
        AnyTier::Cluster(c) => c
            .primaries()
            .into_iter()
            .map(|(host, port)| NodeAddress {
                host,
                port: u32::from(port),
            })
            .collect(),
        AnyTier::One(_) => Vec::new(),
    }
}

#[napi(catch_unwind)]
pub fn tier_stats(t: &External<TierHandle>) -> TierStatsJs {
    let s = t.tier.stats();
    TierStatsJs {
        hits: s.hits as f64,
        misses: s.misses as f64,
        errors: s.errors as f64,
        timeouts: s.timeouts as f64,
        rejected: s.rejected as f64,
        invalidations: s.invalidations as f64,
        flushes: s.flushes as f64,
        connects: s.connects as f64,
        disconnects: s.disconnects as f64,
        breaker: s.breaker.to_string(),
        link: s.link.to_string(),
    }
}

fn key_bytes(key: String) -> Vec<u8> {
    key.into_bytes()
}

fn keys_bytes(keys: Vec<String>) -> Vec<Vec<u8>> {
    keys.into_iter().map(String::into_bytes).collect()
}

fn whole_ms(value: f64) -> Result<u64, String> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&value) {
        Ok(value as u64)
    } else {
        Err(invalid_argument("a time in ms must be a whole number"))
    }
}

fn payload(value: Either<String, Buffer>) -> Vec<u8> {
    match value {
        Either::A(s) => s.into_bytes(),
        Either::B(b) => b.to_vec(),
    }
}

/// GET / getBuffer. `fill: false` reads Redis only (the `l2` view).
#[napi(catch_unwind)]
pub fn tier_get(t: &External<TierHandle>, id: u32, key: String, buffer: bool, fill: bool) {
    t.submit(
        id,
        Op::Get {
            key: key_bytes(key),
            buffer,
            fill,
        },
    );
}

#[napi(catch_unwind)]
pub fn tier_mget(t: &External<TierHandle>, id: u32, keys: Vec<String>, fill: bool) {
    t.submit(
        id,
        Op::MGet {
            keys: keys_bytes(keys),
            fill,
        },
    );
}

/// SET, with the options as the L1 binding takes them (see `commands::set`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn tier_set(
    t: &External<TierHandle>,
    id: u32,
    key: String,
    value: Either<String, Buffer>,
    value_kind: ValueKind,
    ttl: SetTtl,
    expiry_ms: f64,
    condition: WriteIf,
    get: bool,
) -> Result<(), String> {
    let expiry = match ttl {
        SetTtl::Default => Expiry::Default,
        SetTtl::Keep => Expiry::Keep,
        SetTtl::In => Expiry::In(whole_ms(expiry_ms)?),
        SetTtl::At => Expiry::At(whole_ms(expiry_ms)?),
    };
    t.submit(
        id,
        Op::Set {
            key: key_bytes(key),
            payload: payload(value),
            kind: value_kind.into(),
            expiry,
            condition: condition.into(),
            get,
        },
    );
    Ok(())
}

#[napi(catch_unwind)]
pub fn tier_mset(
    t: &External<TierHandle>,
    id: u32,
    keys: Vec<String>,
    values: Vec<Either<String, Buffer>>,
    kinds: Vec<ValueKind>,
) -> Result<(), String> {
    if keys.len() != values.len() || keys.len() != kinds.len() {
        return Err(invalid_argument("keys, values and kinds must have the same length"));
    }
    let mut entries = Vec::with_capacity(keys.len());
    for ((k, v), kd) in keys.into_iter().zip(values).zip(kinds) {
        entries.push((k.into_bytes(), payload(v), kd.into()));
    }
    t.submit(id, Op::MSet { entries });
    Ok(())
}

/// Multi-key commands.
#[napi(catch_unwind)]
pub fn tier_keys_command(t: &External<TierHandle>, id: u32, command: KeysCommand, keys: Vec<String>) {
    let keys = keys_bytes(keys);
    let op = match command {
        KeysCommand::Del => Op::Del { keys },
        KeysCommand::Exists => Op::Exists { keys },
    };
    t.submit(id, op);
}

/// One-key commands.
#[napi(catch_unwind)]
pub fn tier_key_command(t: &External<TierHandle>, id: u32, command: KeyCommand, key: String) {
    let key = key_bytes(key);
    let op = match command {
        KeyCommand::GetDel => Op::GetDel { key },
        KeyCommand::Pttl => Op::Pttl { key, seconds: false },
        KeyCommand::Ttl => Op::Pttl { key, seconds: true },
        KeyCommand::Persist => Op::Persist { key },
    };
    t.submit(id, op);
}

/// Lease commands (getOrSet's `lock`).
#[napi(catch_unwind)]
pub fn tier_lease(
    t: &External<TierHandle>,
    id: u32,
    step: LeaseStep,
    key: String,
    token: String,
    ms: f64,
) -> Result<(), String> {
    if !(ms.is_finite() && ms >= 1.0 && ms <= 2f64.powi(53)) {
        return Err(invalid_argument("the lease duration must be a positive number of ms"));
    }
    t.submit(
        id,
        Op::Lease {
            action: step.into(),
            key: key_bytes(key),
            token: token.into_bytes(),
            ms: ms as u64,
        },
    );
    Ok(())
}

/// A sealed write (see `core::sealed`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn tier_sealed(
    t: &External<TierHandle>,
    id: u32,
    step: SealedStep,
    key: String,
    value: Either<String, Buffer>,
    value_kind: ValueKind,
    seal: String,
    ms: f64,
) -> Result<(), String> {
    t.submit(
        id,
        Op::Sealed {
            action: step.into(),
            key: key_bytes(key),
            payload: payload(value),
            kind: value_kind.into(),
            seal: seal.into_bytes(),
            ms: whole_ms(ms)?,
        },
    );
    Ok(())
}

/// Keyless commands.
#[napi(catch_unwind)]
pub fn tier_server_command(t: &External<TierHandle>, id: u32, command: ServerCommand) {
    let op = match command {
        ServerCommand::FlushDb => Op::Flush { all: false },
        ServerCommand::FlushAll => Op::Flush { all: true },
        ServerCommand::DbSize => Op::DbSize,
        ServerCommand::Ping => Op::Ping,
    };
    t.submit(id, op);
}

/// GETEX: `ttl` says what `ms` is.
#[napi(catch_unwind)]
pub fn tier_getex(t: &External<TierHandle>, id: u32, key: String, ttl: GetExTtl, ms: f64) -> Result<(), String> {
    let mode = match ttl {
        GetExTtl::Unchanged => GetExMode::Unchanged,
        GetExTtl::Persist => GetExMode::Persist,
        GetExTtl::In => GetExMode::In(whole_ms(ms)?),
        GetExTtl::At => GetExMode::At(whole_ms(ms)?),
    };
    t.submit(
        id,
        Op::GetEx {
            key: key_bytes(key),
            mode,
        },
    );
    Ok(())
}

/// EXPIRE family.
#[napi(catch_unwind)]
pub fn tier_expire(
    t: &External<TierHandle>,
    id: u32,
    key: String,
    ms: f64,
    absolute: bool,
    condition: ExpireIf,
) -> Result<(), String> {
    if !ms.is_finite() || ms.fract() != 0.0 || ms.abs() > 9_007_199_254_740_991.0 {
        return Err(invalid_argument("expiry must be a whole number"));
    }
    let mode = match condition {
        ExpireIf::Always => ExpireMode::Always,
        ExpireIf::Nx => ExpireMode::Nx,
        ExpireIf::Xx => ExpireMode::Xx,
        ExpireIf::Gt => ExpireMode::Gt,
        ExpireIf::Lt => ExpireMode::Lt,
    };
    t.submit(
        id,
        Op::Expire {
            key: key_bytes(key),
            ms: ms as i64,
            absolute,
            mode,
        },
    );
    Ok(())
}

/// INCRBY (or DECRBY) with the amount as given: Redis parses it.
#[napi(catch_unwind)]
pub fn tier_incrby(t: &External<TierHandle>, id: u32, key: String, amount: String, decrement: bool) {
    t.submit(
        id,
        Op::IncrBy {
            key: key_bytes(key),
            amount,
            decrement,
        },
    );
}

#[napi(catch_unwind)]
pub fn tier_incrbyfloat(t: &External<TierHandle>, id: u32, key: String, delta: String) {
    t.submit(
        id,
        Op::IncrByFloat {
            key: key_bytes(key),
            delta,
        },
    );
}

#[napi(catch_unwind)]
pub fn tier_keys(t: &External<TierHandle>, id: u32, pattern: String) {
    t.submit(
        id,
        Op::Keys {
            pattern: pattern.into_bytes(),
        },
    );
}

#[napi(catch_unwind)]
pub fn tier_scan(t: &External<TierHandle>, id: u32, cursor: String, pattern: Option<String>, count: Option<f64>) {
    t.submit(
        id,
        Op::Scan {
            cursor,
            pattern: pattern.map(String::into_bytes),
            count: count.map(|c| c as u64),
        },
    );
}

/// The generic command's operation from the binding's arguments (see
/// `tier_command`).
fn command_op(
    argv: Vec<Either<String, Buffer>>,
    keys: Vec<u32>,
    written: Vec<u32>,
    flush: bool,
    buffers: bool,
    cache: bool,
) -> Result<Op, String> {
    let argv: Vec<Vec<u8>> = argv.into_iter().map(payload).collect();
    let position = |i: u32| match i as usize {
        0 => Err(invalid_argument("a key position cannot be the command name")),
        i if i < argv.len() => Ok(i),
        _ => Err(invalid_argument("a key position is past the arguments")),
    };
    let keys = keys.into_iter().map(position).collect::<Result<Vec<_>, _>>()?;
    let written = written.into_iter().map(position).collect::<Result<Vec<_>, _>>()?;
    if argv.is_empty() {
        return Err(invalid_argument("a command needs a name"));
    }
    // Only a read of one key is cached (the facade asks only for those).
    let cache = cache && keys.len() == 1 && written.is_empty() && !flush;
    Ok(Op::Command {
        argv,
        keys,
        written,
        flush,
        buffers,
        cache,
    })
}

/// Any Redis command through the generic path (see `Op::Command`): `argv`
/// as given, the key prefix added at the positions `keys`, L1's copies of
/// the keys at `written` dropped first, L1 emptied with `flush`.
// Positional arguments, as every tier op: an options object would cost a
// property read per field on every command.
#[allow(clippy::too_many_arguments)]
#[napi(catch_unwind)]
pub fn tier_command(
    t: &External<TierHandle>,
    id: u32,
    argv: Vec<Either<String, Buffer>>,
    keys: Vec<u32>,
    written: Vec<u32>,
    flush: bool,
    buffers: bool,
    cache: bool,
) -> Result<(), String> {
    t.submit(id, command_op(argv, keys, written, flush, buffers, cache)?);
    Ok(())
}

/// The commands of a transaction as one op (see `tier_transaction`).
fn transaction_op(
    argvs: Vec<Vec<Either<String, Buffer>>>,
    keys: Vec<Vec<u32>>,
    written: Vec<Vec<u32>>,
    flushes: Vec<bool>,
    buffers: bool,
) -> Result<Op, String> {
    if keys.len() != argvs.len() || written.len() != argvs.len() || flushes.len() != argvs.len() {
        return Err(invalid_argument(
            "a transaction needs keys, written keys and a flush flag per command",
        ));
    }
    let commands = argvs
        .into_iter()
        .zip(keys)
        .zip(written)
        .zip(flushes)
        .map(|(((argv, keys), written), flush)| command_op(argv, keys, written, flush, buffers, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Op::Transaction { commands, buffers })
}

/// A transaction (see `Op::Transaction`): command `i` is `argvs[i]` with
/// its key positions `keys[i]`, written keys `written[i]`, and `flushes[i]`
/// when it empties the database; MULTI and EXEC are added here.
#[napi(catch_unwind)]
pub fn tier_transaction(
    t: &External<TierHandle>,
    id: u32,
    argvs: Vec<Vec<Either<String, Buffer>>>,
    keys: Vec<Vec<u32>>,
    written: Vec<Vec<u32>>,
    flushes: Vec<bool>,
    buffers: bool,
) -> Result<(), String> {
    t.submit(id, transaction_op(argvs, keys, written, flushes, buffers)?);
    Ok(())
}

/// Opens a pin: a connection of this client's own for WATCH and what
/// follows it, up to EXEC (see `core::tier::pinned`). Returns its id.
#[napi(catch_unwind)]
pub fn tier_pin_open(t: &External<TierHandle>) -> Result<u32, String> {
    t.tier
        .pin_open()
        .map_err(|e| Error::new(e.code().as_str().to_string(), e.to_string()))
}

/// A generic command on pin `pin` (arguments as `tier_command`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn tier_pin_command(
    t: &External<TierHandle>,
    id: u32,
    pin: u32,
    argv: Vec<Either<String, Buffer>>,
    keys: Vec<u32>,
    written: Vec<u32>,
    flush: bool,
    buffers: bool,
) -> Result<(), String> {
    let op = command_op(argv, keys, written, flush, buffers, false)?;
    t.pin_submit(id, pin, op);
    Ok(())
}

/// A transaction on pin `pin` (arguments as `tier_transaction`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn tier_pin_transaction(
    t: &External<TierHandle>,
    id: u32,
    pin: u32,
    argvs: Vec<Vec<Either<String, Buffer>>>,
    keys: Vec<Vec<u32>>,
    written: Vec<Vec<u32>>,
    flushes: Vec<bool>,
    buffers: bool,
) -> Result<(), String> {
    let op = transaction_op(argvs, keys, written, flushes, buffers)?;
    t.pin_submit(id, pin, op);
    Ok(())
}

/// Closes pin `pin` once what was submitted to it has run.
#[napi(catch_unwind)]
pub fn tier_pin_close(t: &External<TierHandle>, pin: u32) {
    t.tier.pin_close(pin);
}

/// A blocking command (BLPOP, XREAD BLOCK, …) as `tier_command`, on a
/// dedicated connection, answered within `wait_ms` (0: no deadline).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn tier_blocking_command(
    t: &External<TierHandle>,
    id: u32,
    argv: Vec<Either<String, Buffer>>,
    keys: Vec<u32>,
    written: Vec<u32>,
    flush: bool,
    buffers: bool,
    wait_ms: f64,
) -> Result<(), String> {
    let wait = if wait_ms == 0.0 {
        None
    } else {
        Some(ms(wait_ms, "the blocking deadline")?)
    };
    let op = command_op(argv, keys, written, flush, buffers, false)?;
    t.tier.submit_blocking(op, wait, t.done(id));
    Ok(())
}

/// What `tier_pubsub` does with its names. JS gets the values from here
/// (`PubSubMethod` in the generated binding), which are also the names of
/// the methods that send them: nothing to keep in step by hand.
#[napi(string_enum = "lowercase")]
pub enum PubSubMethod {
    Subscribe,
    Psubscribe,
    Unsubscribe,
    Punsubscribe,
    Ssubscribe,
    Sunsubscribe,
}

/// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE or one of their UNSUBSCRIBEs `names` on the
/// subscriber connection; replies null once Redis confirmed.
#[napi(catch_unwind)]
pub fn tier_pubsub(
    t: &External<TierHandle>,
    id: u32,
    method: PubSubMethod,
    names: Vec<Either<String, Buffer>>,
) -> Result<(), String> {
    let action = match method {
        PubSubMethod::Subscribe => SubAction::Subscribe,
        PubSubMethod::Psubscribe => SubAction::PSubscribe,
        PubSubMethod::Unsubscribe => SubAction::Unsubscribe,
        PubSubMethod::Punsubscribe => SubAction::PUnsubscribe,
        PubSubMethod::Ssubscribe => SubAction::SSubscribe,
        PubSubMethod::Sunsubscribe => SubAction::SUnsubscribe,
    };
    t.tier
        .pubsub(action, names.into_iter().map(payload).collect(), t.done(id));
    Ok(())
}

/// Ends the blocking commands now (Closed); the shared and subscriber
/// connections stay until `tier_close`.
/// MONITOR on a connection of its own (see `Tier::monitor`): `id` answers
/// once Redis confirmed it; the lines then come as "monitor" events.
#[napi(catch_unwind)]
pub fn tier_monitor(t: &External<TierHandle>, id: u32) {
    t.tier.monitor(t.done(id));
}

#[napi(catch_unwind)]
pub fn tier_close_blocking(t: &External<TierHandle>) {
    t.tier.close_blocking();
}

/// The reply L1 holds for the cacheable read `argv` (its key at argv
/// position `key_at`), as `[reply]`, or null when L1 has none; sets the
/// last-TTL slot to the key's remaining TTL, as `get` does, for the front.
#[napi(catch_unwind)]
pub fn tier_cached_reply(
    handle: &External<Handle>,
    argv: Vec<Either<String, Buffer>>,
    key_at: u32,
    buffers: bool,
) -> Result<Reply, String> {
    let argv: Vec<Vec<u8>> = argv.into_iter().map(payload).collect();
    let key_at = key_at as usize;
    let Some(key) = argv.get(key_at).filter(|_| key_at > 0) else {
        return Err(invalid_argument("the key position is not an argument"));
    };
    let store = handle.store()?;
    let sub = reply_cache::subkey(&argv, key_at);
    Ok(match reply_cache::lookup(store, key, &sub) {
        Some((reply, pttl)) => {
            handle.set_last_ttl(pttl);
            Reply::List(vec![generic_reply(reply, buffers)])
        }
        None => Reply::Null,
    })
}
