//! The connection to Redis and its life: connect (RESP3, tracking armed),
//! lose it, be told to reconnect. Reconnection is driven from outside (the
//! facade's retry strategy, as in ioredis): this side reports what happened
//! and never retries on its own.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use futures_util::future::{AbortHandle, AbortRegistration, Abortable, Aborted, FutureExt};
use futures_util::stream::{FuturesUnordered, StreamExt};
use redis::{
    Client, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, ProtocolVersion, PushKind, RedisConnectionInfo, Value,
};
use std::time::Duration;
use tokio::sync::Notify;

use tokio::time::Instant;

use super::batch;
use super::breaker::Breaker;
use super::config::TierConfig;
use super::conn::Conn;
use super::dedicated::{self, Dedicated};
use super::direct;
use super::error::{describe, TierError};
use super::guard::FillGuard;
use super::monitor;
use super::ops::{self, Op, Tickets};
use super::pinned;
use super::reply::TierReply;
use super::runtime::runtime;
use super::sentinel::{self, Addr, Sentinels};
use super::stats::{TierCounters, TierStats};
use super::subscriber::{self, MessageKind, SubAction};
use super::transport::{Reader, Transport};
use crate::core::local::LocalStore;

/// Commands on the wire at once; more wait in the dispatcher's queue. The
/// connection's request buffer is larger, so a command is queued on the
/// socket the first time it is polled, and polls happen in submission order:
/// that is what keeps commands in order on the wire.
pub(super) const MAX_IN_FLIGHT: usize = 4096;
/// GETs sent as one pipeline at most (see `accept_burst`).
pub(super) const MAX_BATCH: usize = 512;

/// What the tier tells its owner, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierEvent {
    /// Connected, tracking armed, L1 flushed: ready for commands.
    Connected,
    /// A connection attempt failed (the message names why, never the password).
    ConnectFailed(String),
    /// The connection was lost (or dropped for failing); L1 keeps serving
    /// for `offline_grace`. The owner decides whether and when to reconnect.
    Lost(String),
    /// Redis invalidated a key (None: everything, as after FLUSHALL).
    Invalidated(Option<Vec<u8>>),
    /// L1 was flushed because Redis stayed away longer than `offline_grace`.
    OfflineFlush,
    /// A pub/sub message on the subscriber connection (`pattern` for a
    /// PMESSAGE).
    Message {
        kind: MessageKind,
        pattern: Option<Vec<u8>>,
        channel: Vec<u8>,
        payload: Vec<u8>,
    },
    /// The subscriber connection was lost: its subscriptions are gone.
    SubscriberLost(String),
    /// A line of MONITOR's stream (see [`super::monitor`]).
    MonitorLine(String),
    /// The MONITOR connection was lost: no more lines until it is opened again.
    MonitorLost(String),
}

pub type EventSink = Arc<dyn Fn(TierEvent) + Send + Sync>;
/// Receives one command's outcome. It should only queue it: the tier calls
/// the [`Flush`] hook once a burst of outcomes is queued.
pub type Done = Box<dyn FnOnce(Result<TierReply, TierError>) + Send>;
/// Called after a burst of `Done` calls, so the owner can deliver them in
/// one go (one wake-up of the JS thread for many replies).
pub type Flush = Arc<dyn Fn() + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Never asked to connect (lazyConnect).
    Idle,
    Connecting,
    Ready,
    /// The connection broke; a reconnect is expected: commands may wait.
    Lost,
    /// The last attempt failed: commands fail at once.
    Failed,
    Closed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Connecting => "connecting",
            Phase::Ready => "ready",
            Phase::Lost => "lost",
            Phase::Failed => "failed",
            Phase::Closed => "closed",
        }
    }
}

struct Link {
    phase: Phase,
    conn: Option<Conn>,
    /// Bumped by every connect attempt: events of older ones are ignored.
    generation: u64,
    /// Bumped by every successful connect (the offline-grace timer checks it).
    sessions: u64,
}

pub(super) struct Inner {
    pub(super) store: Arc<LocalStore>,
    pub(super) config: TierConfig,
    /// For the connections redis-rs opens (blocking, pins, subscriber,
    /// MONITOR): to the primary last connected to.
    client: Mutex<Client>,
    /// With Sentinel: who to ask where the primary is.
    sentinels: Option<Sentinels>,
    /// The address the main connection went to last.
    primary: Mutex<Addr>,
    link: Mutex<Link>,
    ready: Notify,
    pub(super) guard: FillGuard,
    pub(super) breaker: Breaker,
    pub(super) counters: TierCounters,
    events: EventSink,
    flush: Flush,
    /// Commands submitted and not yet taken by the dispatcher.
    submitted: Mutex<Submitted>,
    kick: Notify,
    /// Commands handed to the dispatcher and not yet settled (see [`direct`]).
    pub(super) dispatched: AtomicUsize,
    /// Commands sent directly and not yet settled.
    pub(super) direct: AtomicUsize,
    report_invalidations: AtomicBool,
    /// Blocking commands' connections, and the close signal they and the
    /// subscriber share.
    pub(super) dedicated: Dedicated,
    subscriptions: tokio::sync::mpsc::UnboundedSender<subscriber::Request>,
}

/// A submitted command: its guard tickets were taken at submission, its
/// deadline runs from then too.
pub(super) struct Job {
    pub(super) op: Op,
    pub(super) tickets: Tickets,
    pub(super) deadline: Instant,
    pub(super) done: Done,
}

/// One cache instance's Redis tier.
pub struct Tier {
    inner: Arc<Inner>,
    /// Closes the dispatcher when the tier is dropped.
    _stop: StopOnDrop,
}

pub(super) fn build_client(config: &TierConfig) -> Result<Client, TierError> {
    let addr = match &config.tls {
        None => ConnectionAddr::Tcp(config.host.clone(), config.port),
        Some(tls) => ConnectionAddr::TcpTls {
            host: config.host.clone(),
            port: config.port,
            insecure: !tls.reject_unauthorized,
            tls_params: None,
        },
    };
    let mut redis_info = RedisConnectionInfo::default()
        .set_db(config.db)
        .set_protocol(ProtocolVersion::RESP3)
        .set_lib_name("tiercache", env!("CARGO_PKG_VERSION"));
    if let Some(user) = &config.username {
        redis_info = redis_info.set_username(user);
    }
    if let Some(password) = &config.password {
        redis_info = redis_info.set_password(password);
    }
    let info: ConnectionInfo = addr
        .into_connection_info()
        .map_err(|e| TierError::Unavailable(describe(&e)))?
        .set_redis_settings(redis_info);
    let built = match &config.tls {
        Some(tls) if tls.ca.is_some() || tls.cert.is_some() => {
            let client_tls = match (&tls.cert, &tls.key) {
                (Some(cert), Some(key)) => Some(redis::ClientTlsConfig {
                    client_cert: cert.clone(),
                    client_key: key.clone(),
                }),
                _ => None,
            };
            Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls,
                    root_cert: tls.ca.clone(),
                },
            )
        }
        _ => Client::open(info),
    };
    built.map_err(|e| match &config.tls {
        // The certificates are the only settings the client itself parses.
        Some(_) => TierError::Config(format!(
            "the TLS certificates cannot be used ({}): tls.ca, tls.cert and tls.key must be PEM text \
             (-----BEGIN CERTIFICATE----- …, -----BEGIN PRIVATE KEY----- …) or Buffers of it",
            describe(&e)
        )),
        None => TierError::Config(format!("invalid connection settings: {}", describe(&e))),
    })
}

impl Tier {
    /// Prepares the tier; nothing is sent until [`Tier::connect`].
    pub fn new(store: Arc<LocalStore>, config: TierConfig, events: EventSink, flush: Flush) -> Result<Tier, TierError> {
        let client = Mutex::new(build_client(&config)?);
        let sentinels = config.sentinel.clone().map(Sentinels::new);
        let primary = Mutex::new((config.host.clone(), config.port));
        let breaker = Breaker::new(config.breaker_threshold, config.breaker_cooldown);
        let (subscriptions, requests) = tokio::sync::mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            store,
            config,
            client,
            sentinels,
            primary,
            link: Mutex::new(Link {
                phase: Phase::Idle,
                conn: None,
                generation: 0,
                sessions: 0,
            }),
            ready: Notify::new(),
            guard: FillGuard::default(),
            breaker,
            counters: TierCounters::default(),
            events,
            flush,
            submitted: Mutex::new(Submitted::default()),
            kick: Notify::new(),
            dispatched: AtomicUsize::new(0),
            direct: AtomicUsize::new(0),
            report_invalidations: AtomicBool::new(false),
            dedicated: Dedicated::default(),
            subscriptions,
        });
        runtime().spawn(subscriber::serve(Arc::downgrade(&inner), requests));
        if inner.sentinels.is_some() {
            runtime().spawn(watch_switches(Arc::downgrade(&inner)));
        }
        // Unconstrained: tokio's cooperative budget would make a send return
        // Pending after 128 operations in one poll, and the command would go
        // behind later ones, out of order.
        runtime().spawn(tokio::task::unconstrained(dispatch(Arc::clone(&inner))));
        Ok(Tier {
            _stop: StopOnDrop(Arc::clone(&inner)),
            inner,
        })
    }

    /// Starts a connection attempt unless one is under way or connected.
    /// Reports `Connected` or `ConnectFailed`.
    pub fn connect(&self) {
        let generation = {
            let mut link = self.inner.link();
            if matches!(link.phase, Phase::Connecting | Phase::Ready | Phase::Closed) {
                return;
            }
            link.phase = Phase::Connecting;
            link.generation += 1;
            link.generation
        };
        let inner = Arc::clone(&self.inner);
        runtime().spawn(async move {
            let attempt = tokio::time::timeout(inner.config.connect_timeout, open(&inner, generation)).await;
            match attempt {
                Ok(Ok(conn)) => inner.install(generation, conn),
                Ok(Err(err)) => inner.attempt_failed(generation, err.to_string()),
                Err(_) => inner.attempt_failed(
                    generation,
                    "Redis did not complete the handshake within connectTimeout".into(),
                ),
            }
        });
    }

    /// Drops the shared connection as if it had been lost (ioredis's
    /// `disconnect(true)`): commands in flight on it fail as on a loss, L1's
    /// offline rules apply, and the owner reconnects as after any loss
    /// (its retry strategy). Does nothing unless connected.
    pub fn drop_connection(&self, why: &str) {
        let generation = self.inner.link().generation;
        self.inner.lost(generation, why);
    }

    /// Closes the connection for good; waiting commands fail with Closed.
    pub fn close(&self) {
        self.inner.dedicated.close();
        {
            let mut link = self.inner.link();
            link.phase = Phase::Closed;
            link.generation += 1;
            link.conn = None;
        }
        self.inner.ready.notify_waiters();
    }

    /// Queues `op`; its outcome goes to `done` (on the I/O thread). Nothing
    /// is sent before [`Tier::kick`]: callers submit a burst of commands,
    /// then kick once (one wake-up of the I/O thread for the burst).
    /// Commands reach Redis in the order they are submitted, as on one
    /// ioredis connection; a write's L1 copy is dropped before this returns.
    pub fn submit(&self, op: Op, done: Done) {
        let op = op.normalized();
        let tickets = Tickets::take(&self.inner, &op);
        let job = Job {
            op,
            tickets,
            deadline: Instant::now() + self.inner.config.command_timeout,
            done,
        };
        let mut queue = self.inner.submitted.lock().unwrap_or_else(|p| p.into_inner());
        if queue.stopped {
            drop(queue);
            (job.done)(Err(TierError::Closed));
            (self.inner.flush)();
        } else {
            queue.jobs.push(job);
        }
    }

    /// Ends the blocking commands (they fail with Closed at once); the
    /// shared connection and the subscriber stay until [`Tier::close`]
    /// (quit lets their commands finish: an UNSUBSCRIBE sent just before
    /// quit still reaches Redis).
    pub fn close_blocking(&self) {
        self.inner.dedicated.close_blocking();
    }

    /// Runs a blocking command (see [`dedicated`]) on a connection of its
    /// own, within `wait` (None: no deadline). Never queued behind the
    /// shared connection's commands, never judged by the breaker.
    pub fn submit_blocking(&self, op: Op, wait: Option<std::time::Duration>, done: Done) {
        let inner = Arc::clone(&self.inner);
        if inner.dedicated.is_blocking_closed() || matches!(inner.link().phase, Phase::Closed) {
            done(Err(TierError::Closed));
            (inner.flush)();
            return;
        }
        if !dedicated::take_slot(&inner.dedicated) {
            done(Err(TierError::Unavailable(format!(
                "{} blocking commands are already waiting (the most at once)",
                dedicated::MAX_BUSY
            ))));
            (inner.flush)();
            return;
        }
        let op = op.normalized();
        let tickets = Tickets::take(&inner, &op);
        runtime().spawn(async move {
            let outcome = dedicated::run_blocking(&inner, op, tickets, wait).await;
            dedicated::release_slot(&inner.dedicated);
            done(outcome);
            (inner.flush)();
        });
    }

    /// Opens a pin: a connection of this client's own for WATCH and the
    /// transaction after it (see [`pinned`]); it connects on its first
    /// command. Refused when the tier is closed or too many pins are open.
    pub fn pin_open(&self) -> Result<u32, TierError> {
        let inner = &self.inner;
        if inner.dedicated.is_closed() || matches!(inner.link().phase, Phase::Closed) {
            return Err(TierError::Closed);
        }
        let Some((id, requests)) = inner.dedicated.pins.add() else {
            return Err(TierError::Unavailable(format!(
                "{} clients already hold a WATCH (the most at once)",
                pinned::MAX_PINS
            )));
        };
        runtime().spawn(pinned::serve(Arc::downgrade(inner), requests));
        Ok(id)
    }

    /// Runs `op` on pin `pin`, after the commands submitted to it before.
    pub fn pin_submit(&self, pin: u32, op: Op, done: Done) {
        let op = op.normalized();
        let tickets = Tickets::take(&self.inner, &op);
        if let Err(done) = self
            .inner
            .dedicated
            .pins
            .send(pin, pinned::Request { op, tickets, done })
        {
            done(Err(TierError::Closed));
            (self.inner.flush)();
        }
    }

    /// Closes pin `pin`: what was submitted to it still runs, then its
    /// connection (and the watch on it) is dropped.
    pub fn pin_close(&self, pin: u32) {
        self.inner.dedicated.pins.remove(pin);
    }

    /// (Un)subscribes `names` on the subscriber connection (opened on first
    /// use); requests run in submission order.
    pub fn pubsub(&self, action: SubAction, names: Vec<Vec<u8>>, done: Done) {
        if self.inner.dedicated.is_closed() {
            done(Err(TierError::Closed));
            (self.inner.flush)();
            return;
        }
        if let Err(refused) = self
            .inner
            .subscriptions
            .send(subscriber::Request { action, names, done })
        {
            (refused.0.done)(Err(TierError::Closed));
            (self.inner.flush)();
        }
    }

    /// Opens a MONITOR connection (see [`monitor`]): `done` gets OK once
    /// Redis confirmed it; its lines then arrive as events.
    pub fn monitor(&self, done: Done) {
        if self.inner.dedicated.is_closed() {
            done(Err(TierError::Closed));
            (self.inner.flush)();
            return;
        }
        runtime().spawn(monitor::run(Arc::clone(&self.inner), done));
    }

    /// Hands the reading of the main connection to the caller's thread (see
    /// [`Reader`]): None unless it is ready and ours. Taken again after each
    /// reconnection (the `Connected` event).
    pub fn reader(&self) -> Option<Reader> {
        match self.inner.route() {
            Route::Send(Conn::Own(transport), _) => Some(transport.reader()),
            _ => None,
        }
    }

    /// Sends what was submitted since the last kick: true when this thread
    /// wrote it (see [`direct`]), false when it was handed to the I/O
    /// thread (whose commands are best read there: see [`Reader::share`]).
    pub fn kick(&self) -> bool {
        let direct = direct::send(&self.inner);
        if !direct {
            self.inner.kick.notify_one();
        }
        direct
    }

    /// Whether `Invalidated` events are wanted (they cost a call into JS each).
    pub fn report_invalidations(&self, on: bool) {
        self.inner.report_invalidations.store(on, Ordering::Relaxed);
    }

    pub fn stats(&self) -> TierStats {
        let c = &self.inner.counters;
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let phase = self.inner.link().phase;
        TierStats {
            hits: get(&c.hits),
            misses: get(&c.misses),
            errors: get(&c.errors),
            timeouts: get(&c.timeouts),
            rejected: get(&c.rejected),
            invalidations: get(&c.invalidations),
            flushes: get(&c.flushes),
            connects: get(&c.connects),
            disconnects: get(&c.disconnects),
            // While Redis is unreachable, commands are refused as by an open breaker.
            breaker: if matches!(phase, Phase::Failed) {
                "open"
            } else {
                self.inner.breaker.name()
            },
            link: phase.name(),
        }
    }
}

/// Opens the main connection (our own transport: RESP3, authenticated,
/// database selected), then arms broadcast tracking of the key prefix.
async fn open(inner: &Arc<Inner>, generation: u64) -> Result<Conn, TierError> {
    let on_push = {
        let weak: Weak<Inner> = Arc::downgrade(inner);
        Box::new(move |push: Value| {
            if let (Some(inner), Value::Push { kind, data }) = (weak.upgrade(), push) {
                inner.on_push(kind, data);
            }
        })
    };
    let on_lost = {
        let weak: Weak<Inner> = Arc::downgrade(inner);
        Box::new(move |why: &str| {
            if let Some(inner) = weak.upgrade() {
                inner.lost(generation, why);
            }
        })
    };
    let target = match &inner.sentinels {
        None => None,
        Some(sentinels) => {
            let (host, port) = sentinels.primary().await?;
            Some(TierConfig {
                host,
                port,
                ..inner.config.clone()
            })
        }
    };
    let config = target.as_ref().unwrap_or(&inner.config);
    let transport = Transport::connect(config, on_push, on_lost).await?;
    if let Some(sentinels) = &inner.sentinels {
        // Right after a failover a sentinel may still name the old primary.
        let role = transport.command(&redis::cmd("ROLE")).await?;
        if !sentinel::is_primary(&role) {
            return Err(TierError::Unavailable(format!(
                "the sentinels named {}:{} as the primary of \"{}\", but it is a replica (a failover under way?)",
                config.host,
                config.port,
                sentinels.name()
            )));
        }
        *inner.client.lock().unwrap_or_else(|p| p.into_inner()) = build_client(config)?;
    }
    *inner.primary() = (config.host.clone(), config.port);
    let mut tracking = redis::cmd("CLIENT");
    tracking.arg("TRACKING").arg("ON").arg("BCAST");
    if !inner.config.key_prefix.is_empty() {
        tracking.arg("PREFIX").arg(&inner.config.key_prefix);
    }
    // Our own writes update L1 directly; their echoes would only evict them.
    tracking.arg("NOLOOP");
    match transport.command(&tracking).await? {
        Value::ServerError(e) => Err(TierError::Unavailable(format!(
            "Redis refused CLIENT TRACKING ({}); Redis 6 or later is required",
            e.details().unwrap_or(e.code())
        ))),
        _ => Ok(Conn::Own(transport)),
    }
}

impl Inner {
    fn link(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn submitted(&self) -> MutexGuard<'_, Submitted> {
        self.submitted.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn emit(&self, event: TierEvent) {
        (self.events)(event);
    }

    pub(super) fn emit_event(&self, event: TierEvent) {
        self.emit(event);
    }

    /// Delivers the outcomes queued so far (see [`Flush`]).
    pub(super) fn flush_outcomes(&self) {
        (self.flush)();
    }

    pub(super) fn client(&self) -> Client {
        self.client.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn primary(&self) -> MutexGuard<'_, Addr> {
        self.primary.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A sentinel says the primary moved to `to`: a connection elsewhere is
    /// dropped now (reconnecting asks the sentinels again).
    fn primary_moved(self: &Arc<Self>, to: Addr) {
        let generation = {
            let link = self.link();
            if link.phase != Phase::Ready || *self.primary() == to {
                return;
            }
            link.generation
        };
        let name = self.sentinels.as_ref().map_or("", |s| s.name());
        self.lost(
            generation,
            &format!("Sentinel: the primary of \"{name}\" moved to {}:{}", to.0, to.1),
        );
    }

    /// Drops every L1 entry: nothing it holds can be vouched for any more.
    fn forget_everything(&self) {
        self.guard.invalidate_all();
        self.store.flush();
        self.store.changed(None);
        TierCounters::add(&self.counters.flushes, 1);
    }

    fn install(self: &Arc<Self>, generation: u64, conn: Conn) {
        {
            let mut link = self.link();
            if link.generation != generation || link.phase != Phase::Connecting {
                return; // closed or superseded meanwhile; `conn` drops here
            }
            // Whatever L1 holds was not covered by this connection's
            // invalidations: start from empty (before commands can fill it).
            self.forget_everything();
            link.conn = Some(conn.clone());
            link.phase = Phase::Ready;
            // Idle blocking connections may date from before the outage.
            self.dedicated.forget_idle();
            link.sessions += 1;
        }
        if !self.config.health_check_interval.is_zero() {
            runtime().spawn(health_check(Arc::downgrade(self), generation, conn));
        }
        // The breaker is left as it is: a Redis that timed out until it
        // opened gets its cooldown even if it accepts a new connection.
        TierCounters::add(&self.counters.connects, 1);
        self.ready.notify_waiters();
        self.emit(TierEvent::Connected);
    }

    fn attempt_failed(&self, generation: u64, why: String) {
        {
            let mut link = self.link();
            if link.generation != generation || link.phase != Phase::Connecting {
                return;
            }
            link.phase = Phase::Failed;
        }
        self.ready.notify_waiters();
        self.emit(TierEvent::ConnectFailed(why));
    }

    /// The connection of `generation` is gone (closed by Redis or the network,
    /// or dropped by us for failing). L1 keeps serving, for a while.
    fn lost(self: &Arc<Self>, generation: u64, why: &str) {
        let session = {
            let mut link = self.link();
            if link.generation != generation || link.phase != Phase::Ready {
                return;
            }
            link.conn = None;
            link.phase = Phase::Lost;
            link.sessions
        };
        // Fills of replies still in flight on the old connection are refused.
        self.guard.invalidate_all();
        self.dedicated.forget_idle();
        TierCounters::add(&self.counters.disconnects, 1);
        self.emit(TierEvent::Lost(why.to_string()));
        let weak = Arc::downgrade(self);
        let grace = self.config.offline_grace;
        runtime().spawn(async move {
            tokio::time::sleep(grace).await;
            if let Some(inner) = weak.upgrade() {
                let stale = {
                    let link = inner.link();
                    link.sessions == session && link.phase != Phase::Ready
                };
                if stale {
                    inner.forget_everything();
                    inner.emit(TierEvent::OfflineFlush);
                }
            }
        });
    }

    fn on_push(&self, kind: PushKind, data: Vec<Value>) {
        if kind == PushKind::Invalidate {
            self.on_invalidate(data);
        }
    }

    fn on_invalidate(&self, data: Vec<Value>) {
        let keys = match data.into_iter().next() {
            Some(Value::Array(keys)) | Some(Value::Set(keys)) => keys,
            // A null list: everything was invalidated (FLUSHALL, FLUSHDB).
            _ => {
                self.forget_everything();
                if self.report_invalidations.load(Ordering::Relaxed) {
                    self.emit(TierEvent::Invalidated(None));
                }
                return;
            }
        };
        let prefix = &self.config.key_prefix;
        let report = self.report_invalidations.load(Ordering::Relaxed);
        let mut count = 0;
        for key in keys {
            let full = match key {
                Value::BulkString(b) => b,
                Value::SimpleString(s) => s.into_bytes(),
                _ => continue,
            };
            let Some(user_key) = full.strip_prefix(prefix.as_slice()) else {
                continue;
            };
            if user_key.is_empty() {
                continue;
            }
            // Bump first, then remove under the shard lock (see guard.rs).
            self.guard.invalidate(user_key);
            self.store.drop_copies(&[user_key]);
            count += 1;
            if report {
                self.emit(TierEvent::Invalidated(Some(user_key.to_vec())));
            }
        }
        if count > 0 {
            self.store.changed(None);
            TierCounters::add(&self.counters.invalidations, count);
        }
    }

    /// Where a command should go now.
    pub(super) fn route(&self) -> Route {
        let link = self.link();
        match (link.phase, &link.conn) {
            (Phase::Ready, Some(conn)) => Route::Send(conn.clone(), link.generation),
            // Tripped by failures: fail fast until its cooldown, not after commandTimeout.
            (Phase::Connecting | Phase::Lost, _) if self.breaker.is_open() => {
                Route::Fail(TierError::Unavailable("circuit breaker open".into()))
            }
            (Phase::Connecting | Phase::Lost, _) if self.config.offline_queue > 0 => Route::Wait,
            (Phase::Connecting | Phase::Lost, _) => Route::Fail(TierError::Unavailable("not connected".into())),
            (Phase::Idle, _) => Route::Fail(TierError::Unavailable("not connected (lazyConnect)".into())),
            (Phase::Failed, _) | (Phase::Ready, None) => {
                Route::Fail(TierError::Unavailable("Redis is unreachable".into()))
            }
            (Phase::Closed, _) => Route::Fail(TierError::Closed),
        }
    }

    fn reject(&self, job: Job, err: TierError) {
        TierCounters::add(&self.counters.rejected, 1);
        (job.done)(Err(err));
    }

    /// Runs one command on `conn`; the dispatcher aborts it at its deadline
    /// (one timer for all commands: a tokio timer per command costs a
    /// wake-up of the I/O thread each).
    async fn run_job(
        self: Arc<Self>,
        conn: Conn,
        generation: u64,
        job: Job,
        abort: AbortRegistration,
        finished: Arc<AtomicBool>,
    ) {
        let Job { op, tickets, done, .. } = job;
        let work = ops::run(&self, conn, op, tickets);
        done(self.settle(generation, 1, work, abort, &finished).await);
    }

    /// Runs a batch of commands as one pipeline (see [`batch`]); the batch
    /// is accounted for as a whole, each command answered with its own outcome.
    async fn run_batch(
        self: Arc<Self>,
        conn: Conn,
        generation: u64,
        jobs: Vec<Job>,
        abort: AbortRegistration,
        finished: Arc<AtomicBool>,
    ) {
        let mut dones = Vec::with_capacity(jobs.len());
        let mut ops = Vec::with_capacity(jobs.len());
        for Job { op, tickets, done, .. } in jobs {
            ops.push((op, tickets));
            dones.push(done);
        }
        let n = dones.len() as u64;
        let work = batch::run(&self, conn, ops);
        match self.settle(generation, n, work, abort, &finished).await {
            Ok(outcomes) => {
                for (done, outcome) in dones.into_iter().zip(outcomes) {
                    if outcome.is_err() {
                        TierCounters::add(&self.counters.errors, 1);
                    }
                    done(outcome);
                }
            }
            Err(e) => {
                for done in dones {
                    done(Err(e.clone()));
                }
            }
        }
    }

    /// Runs `work` (one command, or a batch of `n` sent as one) until it
    /// ends or its deadline aborts it, and accounts for how it ended: a
    /// timeout or a transport error counts against the breaker (and may
    /// drop the connection); an error reply means Redis is healthy. A panic
    /// in `work` (a bug) fails it, not the dispatcher every other command
    /// depends on.
    async fn settle<T: Send>(
        self: &Arc<Self>,
        generation: u64,
        n: u64,
        work: impl std::future::Future<Output = Result<T, TierError>> + Send,
        abort: AbortRegistration,
        finished: &AtomicBool,
    ) -> Result<T, TierError> {
        let guarded = std::panic::AssertUnwindSafe(work).catch_unwind();
        let run = Abortable::new(guarded, abort).await;
        finished.store(true, Ordering::Relaxed);
        let outcome = match run {
            Err(Aborted) => {
                TierCounters::add(&self.counters.timeouts, n);
                self.failed(generation, "commands timed out");
                return Err(TierError::Timeout);
            }
            Ok(Err(panic)) => Err(TierError::Protocol(format!(
                "a bug in tiercache: {}",
                panic_message(&panic)
            ))),
            Ok(Ok(outcome)) => outcome,
        };
        match outcome {
            Err(e @ (TierError::Unavailable(_) | TierError::Timeout)) => {
                TierCounters::add(&self.counters.errors, n);
                self.failed(generation, "connection failed");
                Err(e)
            }
            Err(e) => {
                self.breaker.success();
                TierCounters::add(&self.counters.errors, n);
                Err(e)
            }
            Ok(value) => {
                self.breaker.success();
                Ok(value)
            }
        }
    }

    /// A transport failure: count it; when the breaker opens, drop the
    /// connection too (a blackholed socket never recovers by itself).
    pub(super) fn failed(self: &Arc<Self>, generation: u64, why: &str) {
        if self.breaker.failure() {
            self.lost(generation, why);
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

/// Pings the connection of `generation` while it is the current one. A
/// connection can die without a word (a partition, a NAT dropping it, a
/// frozen host); L1 hits send nothing, so without this nobody would notice
/// while L1 kept serving what Redis may long have changed. A ping without a
/// reply within commandTimeout counts as the connection lost.
/// Follows `+switch-master` on one sentinel at a time (see [`sentinel`]),
/// the next one when it is lost; ends with the tier.
async fn watch_switches(weak: Weak<Inner>) {
    let Some(mut closed) = weak.upgrade().map(|i| i.dedicated.close_signal()) else {
        return;
    };
    let mut fruitless = 0u32;
    loop {
        let followed = tokio::select! {
            followed = follow_switches(&weak) => followed,
            _ = closed.wait_for(|c| *c) => return,
        };
        fruitless = if followed { 0 } else { fruitless + 1 };
        // No sentinel accepted: ask again, less often (up to every 2 s).
        let pause = Duration::from_millis((100u64 << fruitless.min(5)).min(2000));
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = closed.wait_for(|c| *c) => return,
        }
    }
}

/// Subscribes on the first sentinel that accepts, and follows it until its
/// connection ends: whether one accepted.
async fn follow_switches(weak: &Weak<Inner>) -> bool {
    let Some((candidates, bound)) = weak
        .upgrade()
        .and_then(|i| i.sentinels.as_ref().map(|s| (s.current(), s.command_timeout())))
    else {
        return false;
    };
    for addr in candidates {
        let Some(client) = weak.upgrade().and_then(|i| i.sentinels.as_ref()?.client(&addr).ok()) else {
            continue;
        };
        let subscribed = tokio::time::timeout(bound, async {
            let mut pubsub = client.get_async_pubsub().await.ok()?;
            pubsub.subscribe("+switch-master").await.ok()?;
            Some(pubsub)
        });
        let Ok(Some(mut pubsub)) = subscribed.await else {
            continue;
        };
        let mut messages = pubsub.on_message();
        while let Some(message) = messages.next().await {
            let Some(inner) = weak.upgrade() else {
                return true;
            };
            let moved = inner
                .sentinels
                .as_ref()
                .and_then(|s| sentinel::switched(message.get_payload_bytes(), s.name()).map(|to| s.translate(to)));
            if let Some(to) = moved {
                inner.primary_moved(to);
            }
        }
        return true;
    }
    false
}

async fn health_check(weak: Weak<Inner>, generation: u64, mut conn: Conn) {
    let Some(interval) = weak.upgrade().map(|i| i.config.health_check_interval) else {
        return;
    };
    loop {
        tokio::time::sleep(interval).await;
        let Some(inner) = weak.upgrade() else { return };
        {
            let link = inner.link();
            if link.generation != generation || link.phase != Phase::Ready {
                return;
            }
        }
        let timeout = inner.config.command_timeout;
        drop(inner);
        let ping = tokio::time::timeout(timeout, conn.command(&redis::cmd("PING"))).await;
        let Some(inner) = weak.upgrade() else { return };
        match ping {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => inner.lost(generation, "connection broken (health check)"),
            Err(_) => {
                TierCounters::add(&inner.counters.timeouts, 1);
                inner.lost(generation, "no reply to a health check within commandTimeout");
            }
        }
    }
}

#[derive(Default)]
pub(super) struct Submitted {
    pub(super) jobs: Vec<Job>,
    /// How many of `jobs` are counted in `Inner::dispatched` already.
    pub(super) counted: usize,
    /// The tier was dropped: the dispatcher ends once everything settled.
    pub(super) stopped: bool,
}

struct StopOnDrop(Arc<Inner>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.submitted.lock().unwrap_or_else(|p| p.into_inner()).stopped = true;
        self.0.kick.notify_one();
    }
}

pub(super) enum Route {
    Send(Conn, u64),
    Wait,
    Fail(TierError),
}

/// Takes a burst of submitted commands in order. Runs of consecutive
/// batchable commands (see [`batch`]) that can go on the wire now are sent
/// as one pipeline each; everything
/// else goes through [`accept`]. Wire order is submission order either way.
fn accept_burst(
    inner: &Arc<Inner>,
    in_flight: &mut InFlight,
    parked: &mut std::collections::VecDeque<Job>,
    burst: Vec<Job>,
) {
    let mut run: Vec<Job> = Vec::new();
    let flush = |run: &mut Vec<Job>, in_flight: &mut InFlight, parked: &mut std::collections::VecDeque<Job>| {
        if run.is_empty() {
            return;
        }
        let jobs = std::mem::take(run);
        match inner.route() {
            Route::Send(conn, generation) if parked.is_empty() && in_flight.jobs.len() < MAX_IN_FLIGHT => {
                if jobs.len() == 1 {
                    for job in jobs {
                        in_flight.start(inner, conn.clone(), generation, job);
                    }
                } else {
                    in_flight.start_batch(inner, conn, generation, jobs);
                }
            }
            _ => {
                for job in jobs {
                    accept(inner, in_flight, parked, job);
                }
            }
        }
    };
    for job in burst {
        if batch::is_batchable(&job.op) && run.len() < MAX_BATCH {
            run.push(job);
            continue;
        }
        flush(&mut run, in_flight, parked);
        if batch::is_batchable(&job.op) {
            run.push(job);
        } else {
            accept(inner, in_flight, parked, job);
        }
    }
    flush(&mut run, in_flight, parked);
}

/// Takes one submitted command: on the wire now, queued behind others
/// (waiting for a connection or for room on the wire), or refused.
fn accept(inner: &Arc<Inner>, in_flight: &mut InFlight, parked: &mut std::collections::VecDeque<Job>, job: Job) {
    if !parked.is_empty() {
        match inner.route() {
            Route::Wait if parked.len() >= inner.config.offline_queue => inner.reject(
                job,
                TierError::Unavailable("not connected, and the offline queue is full".into()),
            ),
            Route::Fail(err) => inner.reject(job, err),
            _ => parked.push_back(job),
        }
        return;
    }
    match inner.route() {
        Route::Send(conn, generation) if in_flight.jobs.len() < MAX_IN_FLIGHT => {
            in_flight.start(inner, conn, generation, job)
        }
        Route::Send(..) | Route::Wait => parked.push_back(job),
        Route::Fail(err) => inner.reject(job, err),
    }
}

/// Commands on the wire, and their deadlines in submission order (hence in
/// deadline order: every command gets the same timeout).
struct InFlight {
    jobs: FuturesUnordered<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
    deadlines: std::collections::VecDeque<(Instant, AbortHandle, Arc<AtomicBool>)>,
}

impl InFlight {
    /// Starts `job` on `conn` (its request is queued on the connection when
    /// first polled, in submission order), unless the breaker refuses it.
    fn start(&mut self, inner: &Arc<Inner>, conn: Conn, generation: u64, job: Job) {
        if !inner.breaker.allow() {
            inner.reject(job, TierError::Unavailable("circuit breaker open".into()));
            return;
        }
        let (handle, registration) = AbortHandle::new_pair();
        let finished = Arc::new(AtomicBool::new(false));
        self.deadlines.push_back((job.deadline, handle, Arc::clone(&finished)));
        self.jobs.push(Box::pin(Arc::clone(inner).run_job(
            conn,
            generation,
            job,
            registration,
            finished,
        )));
    }

    /// Starts a batch of commands (see [`batch`]) as one pipeline; its
    /// deadline is its first (earliest) command's.
    fn start_batch(&mut self, inner: &Arc<Inner>, conn: Conn, generation: u64, jobs: Vec<Job>) {
        if !inner.breaker.allow() {
            for job in jobs {
                inner.reject(job, TierError::Unavailable("circuit breaker open".into()));
            }
            return;
        }
        let (handle, registration) = AbortHandle::new_pair();
        let finished = Arc::new(AtomicBool::new(false));
        self.deadlines
            .push_back((jobs[0].deadline, handle, Arc::clone(&finished)));
        self.jobs.push(Box::pin(Arc::clone(inner).run_batch(
            conn,
            generation,
            jobs,
            registration,
            finished,
        )));
    }

    /// Aborts the commands past their deadline; forgets finished ones.
    fn expire(&mut self, now: Instant) {
        while let Some((at, handle, finished)) = self.deadlines.front() {
            if finished.load(Ordering::Relaxed) {
                self.deadlines.pop_front();
            } else if *at <= now {
                handle.abort();
                self.deadlines.pop_front();
            } else {
                break;
            }
        }
    }

    fn next_deadline(&mut self) -> Option<Instant> {
        while self
            .deadlines
            .front()
            .is_some_and(|(_, _, f)| f.load(Ordering::Relaxed))
        {
            self.deadlines.pop_front();
        }
        self.deadlines.front().map(|(at, _, _)| *at)
    }
}

/// The tier's one task: takes commands in submission order and keeps them in
/// that order on the wire. While a connection is being (re)established they
/// wait in a bounded FIFO, each until its own deadline; replies are awaited
/// concurrently. Ends when the tier is dropped and everything has settled.
async fn dispatch(inner: Arc<Inner>) {
    let mut in_flight = InFlight {
        jobs: FuturesUnordered::new(),
        deadlines: std::collections::VecDeque::new(),
    };
    // One timer for every deadline (commands in flight, commands waiting for
    // a connection), reset only when the earliest one changes.
    let timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(timer);
    let mut armed: Option<Instant> = None;
    let mut parked: std::collections::VecDeque<Job> = std::collections::VecDeque::new();
    let mut open = true;
    // Outcomes were handed out since the last flush.
    let mut unflushed = false;
    while open || !in_flight.jobs.is_empty() || !parked.is_empty() || unflushed {
        let notified = inner.ready.notified();
        tokio::pin!(notified);
        if !parked.is_empty() {
            // Registered before the state is read, so no change is missed.
            notified.as_mut().enable();
            match inner.route() {
                Route::Send(conn, generation) => {
                    let mut started = false;
                    while in_flight.jobs.len() < MAX_IN_FLIGHT {
                        let Some(job) = parked.pop_front() else { break };
                        in_flight.start(&inner, conn.clone(), generation, job);
                        started = true;
                    }
                    // A breaker refusal among them is an outcome to deliver.
                    // Only then: with the wire full and nothing started, a
                    // flush to do on every turn would keep the select below
                    // always ready, and this task would spin without ever
                    // yielding to the connection's driver, whose replies are
                    // what frees room on the wire (more than MAX_IN_FLIGHT
                    // commands at once never settled).
                    unflushed |= started;
                }
                Route::Fail(err) => {
                    while let Some(job) = parked.pop_front() {
                        inner.reject(job, err.clone());
                    }
                    unflushed = true;
                }
                Route::Wait => {
                    let now = Instant::now();
                    while parked.front().is_some_and(|j| j.deadline <= now) {
                        if let Some(job) = parked.pop_front() {
                            inner.reject(
                                job,
                                TierError::Unavailable("not connected within commandTimeout".into()),
                            );
                            unflushed = true;
                        }
                    }
                }
            }
        }
        // Deadlines grow with submission order: the first of each queue is due first.
        let next_due = match (parked.front().map(|j| j.deadline), in_flight.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if next_due.is_some() && next_due != armed {
            if let Some(at) = next_due {
                timer.as_mut().reset(at);
            }
            armed = next_due;
        }
        tokio::select! {
            biased;
            Some(()) = in_flight.jobs.next(), if !in_flight.jobs.is_empty() => unflushed = true,
            _ = inner.kick.notified(), if open => {
                unflushed = true;
                let (batch, stopped) = {
                    let mut q = inner.submitted();
                    q.counted = 0;
                    (std::mem::take(&mut q.jobs), q.stopped)
                };
                open = !stopped;
                accept_burst(&inner, &mut in_flight, &mut parked, batch);
            },
            _ = &mut notified, if !parked.is_empty() => {}
            _ = &mut timer, if armed.is_some() => {
                armed = None;
                in_flight.expire(Instant::now());
            }
            // Reached only when nothing above is ready: the burst is over.
            _ = std::future::ready(()), if unflushed => {
                (inner.flush)();
                unflushed = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tier::config::TlsConfig;

    fn with_tls(tls: TlsConfig) -> TierConfig {
        TierConfig {
            tls: Some(tls),
            password: Some("hunter2-secret".into()),
            ..TierConfig::default()
        }
    }

    #[test]
    fn certificates_that_are_not_pem_are_a_settings_error_not_an_outage() {
        let key = b"PRIVATE-KEY-MATERIAL".to_vec();
        for tls in [
            TlsConfig {
                ca: Some(b"not a certificate".to_vec()),
                reject_unauthorized: true,
                ..TlsConfig::default()
            },
            TlsConfig {
                cert: Some(b"not a certificate".to_vec()),
                key: Some(key.clone()),
                reject_unauthorized: true,
                ..TlsConfig::default()
            },
        ] {
            let err = build_client(&with_tls(tls)).expect_err("refused");
            assert_eq!(err.code(), crate::core::error_code::ErrorCode::InvalidArgument, "{err}");
            let shown = format!("{err} {err:?}");
            assert!(shown.contains("PEM"), "{shown}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("PRIVATE-KEY-MATERIAL"),
                "{shown}"
            );
        }
    }
}
