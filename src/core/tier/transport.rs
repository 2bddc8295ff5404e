//! A Redis connection of our own: the socket, the bytes not yet written and,
//! in order, who waits for which replies (docs/internals.md, "The transport").
//!
//! It replaces redis-rs's multiplexed connection for an instance's main
//! connection. The multiplexed connection can only be written by its own
//! task, so every command costs a wake-up of the I/O thread; here any thread
//! writes under one lock, straight to the socket, and the order in which
//! requests are queued under that lock is the order of their bytes on the
//! wire, hence of their replies. Reading is the I/O thread's (the reader
//! task below) until a thread of the caller's takes it over ([`Reader`]: the
//! binding polls the socket on the JS thread's event loop, so a reply wakes
//! the thread that awaits it and no other). The I/O thread then only looks
//! every [`FALLBACK_READ`], for when that thread is busy: invalidations must
//! reach an L1 other threads share.
//!
//! # Guarantees
//! - Replies complete their requests in the order the requests were queued;
//!   pushes (tracking's invalidations) reach the push hook in stream order,
//!   before any reply that follows them is delivered.
//! - A request abandoned by its caller (a timeout) still takes its replies off
//!   the stream when they come, so no later request is handed another's.
//! - Once the connection is lost, every waiting and later request fails with
//!   [`TierError::Unavailable`] and the lost hook runs exactly once.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::TcpStream as StdTcpStream;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use redis::Value;
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::sync::{oneshot, Notify};
use tokio::time::{Duration, Instant};

use super::config::{TierConfig, TlsConfig};
use super::decoder::Decoder;
use super::error::TierError;
use super::runtime::runtime;

/// Called with every push the server sends (on the reading thread).
pub type PushHook = Box<dyn Fn(Value) + Send + Sync>;
/// Called once, when the connection is lost, with why.
pub type LostHook = Box<dyn Fn(&str) + Send + Sync>;

/// While another thread reads (see [`Reader`]), how often the I/O thread
/// reads what that thread has left: the bound on a pushed invalidation's
/// delay while the thread that reads is busy.
pub const FALLBACK_READ: Duration = Duration::from_millis(5);

/// The socket as `std::io`, never blocking: readiness (tokio's, or the
/// reading thread's own poller) says when to try again. Usable from any
/// thread.
struct Socket(Arc<StdTcpStream>);

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Stream {
    Plain(Socket),
    Tls(Box<native_tls::TlsStream<Socket>>),
}

impl Stream {
    /// Whether a read that did not fill its buffer left nothing to read: on
    /// a plain socket the kernel gave all it had, so asking again would only
    /// answer WouldBlock (a system call per reply, ~1-2 µs: a sequential
    /// command's reply is always one short read). TLS may hold decrypted
    /// bytes back (a record at a time), which no readiness would announce:
    /// it is read until WouldBlock.
    fn drained_by_short_read(&self) -> bool {
        matches!(self, Stream::Plain(_))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub type Outcome = Result<Vec<Value>, TierError>;
/// Receives a request's outcome, on the thread that read it (or found it
/// late, or lost the connection).
pub type OnReply = Box<dyn FnOnce(Outcome) + Send>;

/// Who gets a request's replies.
enum Reply {
    /// An awaiting future (timed by its caller).
    Channel(oneshot::Sender<Outcome>),
    /// A callback, timed here: past `deadline` it gets
    /// [`TierError::Timeout`] (see [`Transport::request_with`]).
    Call(OnReply, Instant),
    /// Already answered (timed out): the replies are read and dropped.
    Gone,
}

impl Reply {
    fn send(self, outcome: Outcome) {
        match self {
            Reply::Channel(tx) => drop(tx.send(outcome)),
            Reply::Call(call, _) => call(outcome),
            Reply::Gone => {}
        }
    }
}

/// One request's claim on the replies to come.
struct Waiter {
    /// Replies to read past before the ones wanted (a MULTI's QUEUED, …).
    skip: usize,
    take: usize,
    values: Vec<Value>,
    reply: Reply,
}

struct Io {
    stream: Stream,
    /// `out[written..]` is yet to be written.
    out: Vec<u8>,
    written: usize,
    waiting: VecDeque<Waiter>,
    decoder: Decoder,
    lost: Option<String>,
    /// Read, not yet delivered, in stream order: whichever thread read them,
    /// one thread at a time delivers (`delivering`), so an invalidation is
    /// never delivered after a reply that followed it.
    undelivered: Vec<Delivery>,
    delivering: bool,
}

impl Io {
    /// Writes what it can; true once everything is written.
    fn flush(&mut self) -> io::Result<bool> {
        while self.written < self.out.len() {
            match self.stream.write(&self.out[self.written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.clear();
        self.written = 0;
        Ok(true)
    }
}

/// What one read produced, delivered in this order once the lock is released.
enum Delivery {
    Push(Value),
    Done(Reply, Vec<Value>),
    Late(OnReply),
}

struct Shared {
    io: Mutex<Io>,
    socket: Arc<StdTcpStream>,
    /// A duplicate of the socket registered with tokio, for its readiness,
    /// while the I/O thread reads; none while a [`Reader`] does (a
    /// registered socket would wake the I/O thread at every reply).
    watcher: Mutex<Option<Arc<TcpStream>>>,
    /// Reading changed hands, or the connection was lost: the reader task
    /// looks again.
    changed: Notify,
    /// Bytes were left unwritten: the flusher waits for the socket.
    unwritten: Notify,
    /// How often the watchdog looks for callbacks past their deadline.
    watch_every: Duration,
    on_push: PushHook,
    on_lost: LostHook,
}

/// A handle on the connection; the connection closes when the last handle
/// drops (as redis-rs's multiplexed connection does).
#[derive(Clone)]
pub struct Transport(Arc<Owner>);

struct Owner(Arc<Shared>);

impl Drop for Owner {
    fn drop(&mut self) {
        // Not a loss: its owner let it go (possibly under its own locks, so
        // the lost hook, which takes them, must not run here).
        self.0.fail("connection closed", false);
    }
}

impl Shared {
    fn io(&self) -> MutexGuard<'_, Io> {
        self.io.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn watcher(&self) -> Option<Arc<TcpStream>> {
        self.watcher.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_watcher(&self, watcher: Option<Arc<TcpStream>>) {
        *self.watcher.lock().unwrap_or_else(|p| p.into_inner()) = watcher;
        self.changed.notify_one();
    }

    /// A duplicate of the socket registered with tokio (from any thread).
    fn register(&self) -> io::Result<Arc<TcpStream>> {
        let _runtime = runtime().enter();
        Ok(Arc::new(TcpStream::from_std(self.socket.try_clone()?)?))
    }

    /// Waits until the socket is ready for `interest` (through the watcher,
    /// or a duplicate registered for the wait), then runs `step`, which
    /// returns false when it met `WouldBlock` (the readiness is then
    /// cleared, so the next wait is for new readiness).
    async fn when_ready(&self, interest: Interest, mut step: impl FnMut() -> bool) -> io::Result<()> {
        let watcher = match self.watcher() {
            Some(w) => w,
            None => self.register()?,
        };
        watcher.ready(interest).await?;
        let _ = watcher.try_io(interest, || {
            if step() {
                Ok(())
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        });
        Ok(())
    }

    /// The connection is gone: fail every waiter, tell the owner once (if
    /// `report`), and shut the socket so the reader and flusher end.
    fn fail(&self, why: &str, report: bool) {
        let waiting = {
            let mut io = self.io();
            if io.lost.is_some() {
                return;
            }
            io.lost = Some(why.to_string());
            std::mem::take(&mut io.waiting)
        };
        let _ = socket2::SockRef::from(&*self.socket).shutdown(std::net::Shutdown::Both);
        self.unwritten.notify_one();
        self.changed.notify_one();
        // The owner hears first, so a caller who sees its request fail finds
        // the loss already known.
        if report {
            (self.on_lost)(why);
        }
        for w in waiting {
            w.reply.send(Err(TierError::Unavailable(why.to_string())));
        }
    }

    /// Reads everything the socket has, and queues every complete reply
    /// (and push) for delivery. Err: the connection is unusable (closed,
    /// reset, garbage).
    fn read_available(io: &mut Io) -> Result<(), String> {
        if let Some(why) = &io.lost {
            return Err(why.clone());
        }
        loop {
            let Io { stream, decoder, .. } = &mut *io;
            match decoder.read_from(stream) {
                Ok((0, _)) => return Err("connection closed by Redis".into()),
                // Readiness reports what comes later: level-triggered for
                // the JS thread's poller, a new edge for tokio (whose
                // try_io clears only the readiness it had seen).
                Ok((_, false)) if stream.drained_by_short_read() => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("connection broken: {e}")),
            }
        }
        let Io {
            decoder,
            waiting,
            undelivered: deliveries,
            ..
        } = io;
        while let Some(value) = decoder.next_value().map_err(|e| e.to_string())? {
            if let Value::Push { .. } = value {
                deliveries.push(Delivery::Push(value));
                continue;
            }
            let Some(head) = waiting.front_mut() else {
                return Err("a reply nobody asked for".into());
            };
            if head.skip > 0 {
                head.skip -= 1;
            } else {
                head.values.push(value);
            }
            if head.skip == 0 && head.values.len() == head.take {
                let w = waiting.pop_front().expect("the head waiter");
                deliveries.push(match w.reply {
                    // Answered after its deadline: a timeout, as if the
                    // watchdog had looked first (it may be due to).
                    Reply::Call(call, at) if at <= Instant::now() => Delivery::Late(call),
                    reply => Delivery::Done(reply, w.values),
                });
            }
        }
        Ok(())
    }

    /// Reads and delivers what the socket has; false once the connection
    /// is lost (then reported: the lost hook has run).
    fn read_and_deliver(&self) -> bool {
        let read = Self::read_available(&mut self.io());
        self.deliver_queued();
        match read {
            Ok(()) => true,
            Err(why) => {
                self.fail(&why, true);
                false
            }
        }
    }

    /// Delivers what is queued, unless another thread is delivering (it
    /// takes what was queued meanwhile before it stops).
    fn deliver_queued(&self) {
        let mut batch = {
            let mut io = self.io();
            if io.delivering || io.undelivered.is_empty() {
                return;
            }
            io.delivering = true;
            std::mem::take(&mut io.undelivered)
        };
        loop {
            // A bug in a callback loses its batch, never the turn.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.deliver(batch)));
            let mut io = self.io();
            if io.undelivered.is_empty() {
                io.delivering = false;
                return;
            }
            batch = std::mem::take(&mut io.undelivered);
        }
    }

    fn deliver(&self, deliveries: Vec<Delivery>) {
        for d in deliveries {
            match d {
                Delivery::Push(v) => (self.on_push)(v),
                // The caller may have given up (a timeout): nothing to do.
                Delivery::Done(reply, values) => reply.send(Ok(values)),
                Delivery::Late(call) => call(Err(TierError::Timeout)),
            }
        }
    }
}

/// Reads on the I/O thread: as the socket is ready while it holds the
/// watcher, every [`FALLBACK_READ`] while a [`Reader`] reads.
async fn read_loop(shared: Arc<Shared>) {
    loop {
        match shared.watcher() {
            Some(watcher) => {
                tokio::select! {
                    ready = watcher.readable() => {
                        if let Err(e) = ready {
                            shared.fail(&format!("connection broken: {e}"), true);
                            return;
                        }
                    }
                    _ = shared.changed.notified() => continue,
                }
                let mut alive = true;
                // Read until WouldBlock: the readiness is then cleared.
                let _ = watcher.try_io(Interest::READABLE, || {
                    alive = shared.read_and_deliver();
                    Err::<(), _>(io::Error::from(io::ErrorKind::WouldBlock))
                });
                if !alive {
                    return;
                }
            }
            None => {
                tokio::select! {
                    _ = tokio::time::sleep(FALLBACK_READ) => {}
                    _ = shared.changed.notified() => continue,
                }
                if !shared.read_and_deliver() {
                    return;
                }
            }
        }
    }
}

/// Times the callback requests. Their callers await nothing a timer could
/// wrap, and arming a timer per request from the thread that queues it
/// would wake this thread for each (the hand-over the callbacks exist to
/// avoid). So it sleeps until the earliest deadline it knows of, or for
/// `watch_every` when it knows of none: a request queued meanwhile fails at
/// most that long after its deadline, and a reply that comes after the
/// deadline is a timeout too (see `read_available`).
async fn watch_loop(shared: Weak<Shared>) {
    let every = match shared.upgrade() {
        Some(s) => s.watch_every,
        None => return,
    };
    let mut wake = Instant::now() + every;
    loop {
        tokio::time::sleep_until(wake).await;
        let Some(shared) = shared.upgrade() else { return };
        let now = Instant::now();
        let mut earliest = now + every;
        let late: Vec<OnReply> = {
            let mut io = shared.io();
            if io.lost.is_some() {
                return;
            }
            let mut late = Vec::new();
            for w in io.waiting.iter_mut() {
                match w.reply {
                    Reply::Call(_, at) if at <= now => {
                        if let Reply::Call(call, _) = std::mem::replace(&mut w.reply, Reply::Gone) {
                            late.push(call);
                        }
                    }
                    Reply::Call(_, at) => earliest = earliest.min(at),
                    _ => {}
                }
            }
            late
        };
        for call in late {
            call(Err(TierError::Timeout));
        }
        wake = earliest;
    }
}

async fn flush_loop(shared: Arc<Shared>) {
    loop {
        shared.unwritten.notified().await;
        loop {
            if shared.io().lost.is_some() {
                return;
            }
            // Written at once, unless the socket's buffer is full: then
            // as it drains.
            let mut flushed = shared.io().flush();
            if let Ok(false) = flushed {
                let step = || {
                    flushed = shared.io().flush();
                    !matches!(flushed, Ok(false))
                };
                if let Err(e) = shared.when_ready(Interest::WRITABLE, step).await {
                    shared.fail(&format!("connection broken: {e}"), true);
                    return;
                }
            }
            match flushed {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => {
                    shared.fail(&format!("connection broken: {e}"), true);
                    return;
                }
            }
        }
    }
}

impl Transport {
    /// Connects, authenticates and selects the database (within the
    /// config's connect timeout), then reads on the I/O thread.
    pub async fn connect(config: &TierConfig, on_push: PushHook, on_lost: LostHook) -> Result<Transport, TierError> {
        let attempt = async {
            let tcp = TcpStream::connect((config.host.as_str(), config.port))
                .await
                .map_err(|e| TierError::Unavailable(format!("cannot connect: {e}")))?;
            let _ = tcp.set_nodelay(true);
            let broken = |e: io::Error| TierError::Unavailable(format!("cannot connect: {e}"));
            // Ours as a plain socket (any thread may poll it), watched by
            // tokio through a duplicate while the I/O thread reads.
            let socket = Arc::new(tcp.into_std().map_err(broken)?);
            let watcher = Arc::new(TcpStream::from_std(socket.try_clone().map_err(broken)?).map_err(broken)?);
            let stream = match &config.tls {
                None => Stream::Plain(Socket(Arc::clone(&socket))),
                Some(tls) => Stream::Tls(Box::new(handshake(tls, &config.host, &socket, &watcher).await?)),
            };
            // A tenth of commandTimeout, within 2–100 ms.
            let watch_every = (config.command_timeout / 10).clamp(Duration::from_millis(2), Duration::from_millis(100));
            let transport = Transport::start(socket, watcher, stream, watch_every, on_push, on_lost);
            hello(&transport, config).await?;
            Ok(transport)
        };
        match tokio::time::timeout(config.connect_timeout, attempt).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TierError::Unavailable("connection timed out".into())),
        }
    }

    fn start(
        socket: Arc<StdTcpStream>,
        watcher: Arc<TcpStream>,
        stream: Stream,
        watch_every: Duration,
        on_push: PushHook,
        on_lost: LostHook,
    ) -> Transport {
        let shared = Arc::new(Shared {
            io: Mutex::new(Io {
                stream,
                out: Vec::new(),
                written: 0,
                waiting: VecDeque::new(),
                decoder: Decoder::new(),
                lost: None,
                undelivered: Vec::new(),
                delivering: false,
            }),
            socket,
            watcher: Mutex::new(Some(watcher)),
            changed: Notify::new(),
            unwritten: Notify::new(),
            watch_every,
            on_push,
            on_lost,
        });
        runtime().spawn(read_loop(Arc::clone(&shared)));
        runtime().spawn(flush_loop(Arc::clone(&shared)));
        runtime().spawn(watch_loop(Arc::downgrade(&shared)));
        Transport(Arc::new(Owner(shared)))
    }

    /// Queues `bytes` (whole commands) and claims the `skip + take` replies
    /// they produce; resolves to the last `take`. The bytes are written by
    /// the flusher task once the caller's task yields, so the requests one
    /// turn of the I/O thread queues (a burst of typed commands) go out in
    /// one write, as redis-rs's multiplexed connection did.
    pub fn request(&self, bytes: &[u8], skip: usize, take: usize) -> oneshot::Receiver<Outcome> {
        let (reply, outcome) = oneshot::channel();
        self.queue(bytes, skip, take, Reply::Channel(reply), false);
        outcome
    }

    /// As [`Transport::request`], the outcome handed to `on_reply` on the
    /// thread that reads it; past `deadline` it gets [`TierError::Timeout`]
    /// (at most a tenth of commandTimeout late, see `watch_loop`) and the
    /// replies, when they come, are dropped.
    /// The bytes are written by the calling thread at once when nothing is
    /// waiting to be written before them (a burst from the JS thread is
    /// already whole).
    pub fn request_with(&self, bytes: &[u8], skip: usize, take: usize, deadline: Instant, on_reply: OnReply) {
        self.queue(bytes, skip, take, Reply::Call(on_reply, deadline), true);
    }

    fn queue(&self, bytes: &[u8], skip: usize, take: usize, reply: Reply, write_now: bool) {
        let shared = &self.0 .0;
        let mut io = shared.io();
        if let Some(why) = &io.lost {
            let why = why.clone();
            drop(io);
            reply.send(Err(TierError::Unavailable(why)));
            return;
        }
        // Nothing to wait for (no command produces no reply; kept total).
        let answered = if skip + take == 0 {
            Some(reply)
        } else {
            io.waiting.push_back(Waiter {
                skip,
                take,
                values: Vec::with_capacity(take),
                reply,
            });
            None
        };
        let idle = io.out.is_empty();
        io.out.extend_from_slice(bytes);
        if idle && !write_now {
            shared.unwritten.notify_one();
        } else if idle {
            match io.flush() {
                Ok(true) => {}
                Ok(false) => shared.unwritten.notify_one(),
                Err(e) => {
                    drop(io);
                    let why = format!("connection broken: {e}");
                    shared.fail(&why, true);
                    if let Some(reply) = answered {
                        reply.send(Err(TierError::Unavailable(why)));
                    }
                    return;
                }
            }
        }
        drop(io);
        if let Some(reply) = answered {
            reply.send(Ok(Vec::new()));
        }
    }

    /// One command's reply (error replies are values, as in redis-rs).
    pub async fn command(&self, cmd: &redis::Cmd) -> Result<Value, TierError> {
        let mut values = self.send(&cmd.get_packed_command(), 0, 1).await?;
        values.pop().ok_or_else(|| TierError::Protocol("no reply".into()))
    }

    /// A pipeline's replies, past the first `skip`.
    pub async fn pipeline(&self, pipe: &redis::Pipeline, skip: usize, take: usize) -> Result<Vec<Value>, TierError> {
        self.send(&pipe.get_packed_pipeline(), skip, take).await
    }

    async fn send(&self, bytes: &[u8], skip: usize, take: usize) -> Result<Vec<Value>, TierError> {
        match self.request(bytes, skip, take).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TierError::Unavailable("connection closed".into())),
        }
    }

    /// Closes the connection now; the lost hook runs, with `why`, unless
    /// the connection was lost already.
    pub fn close(&self, why: &str) {
        self.0 .0.fail(why, true);
    }

    /// Hands the reading of the socket to the caller's thread (see
    /// [`Reader`]); the I/O thread reads only every [`FALLBACK_READ`] from
    /// now on, until the reader is dropped.
    pub fn reader(&self) -> Reader {
        let shared = &self.0 .0;
        shared.set_watcher(None);
        Reader(Arc::clone(shared))
    }
}

/// The reading of a connection, taken over by a thread that polls the
/// socket itself (the binding: the JS thread's event loop). It keeps the
/// socket open (never closed under a poller still watching it) until
/// dropped; dropped, it hands the reading back to the I/O thread.
pub struct Reader(Arc<Shared>);

impl Reader {
    /// The socket to poll for readability.
    #[cfg(unix)]
    pub fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.0.socket.as_raw_fd()
    }

    /// Reads what the socket has and delivers it on this thread (pushes,
    /// then the requests it completes, in stream order). False once the
    /// connection is lost: stop polling (a shut socket is always readable).
    pub fn read(&self) -> bool {
        self.0.read_and_deliver()
    }

    /// While `on`, the I/O thread reads as soon as the socket is readable
    /// (the caller stops polling meanwhile); off, it looks only every
    /// [`FALLBACK_READ`] again. For commands the I/O thread runs (the
    /// dispatcher's): their replies complete futures there, so reading them
    /// here would cost a hand-over each way.
    pub fn share(&self, on: bool) {
        let shared = &self.0;
        if on == shared.watcher().is_some() || shared.io().lost.is_some() {
            return;
        }
        if !on {
            shared.set_watcher(None);
            return;
        }
        match shared.register() {
            Ok(watcher) => shared.set_watcher(Some(watcher)),
            Err(_) => shared.changed.notify_one(),
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.share(true);
    }
}

/// The TLS connector for `tls`: the CA bundle trusted, the client
/// certificate presented, verification as `rejectUnauthorized` says.
fn connector(tls: &TlsConfig) -> Result<native_tls::TlsConnector, TierError> {
    let unusable = |e: native_tls::Error| {
        TierError::Config(format!(
            "the TLS certificates cannot be used ({e}): tls.ca, tls.cert and tls.key must be PEM text"
        ))
    };
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(ca) = &tls.ca {
        for pem in pem_blocks(ca) {
            builder.add_root_certificate(native_tls::Certificate::from_pem(pem).map_err(unusable)?);
        }
    }
    if let (Some(cert), Some(key)) = (&tls.cert, &tls.key) {
        builder.identity(native_tls::Identity::from_pkcs8(cert, key).map_err(unusable)?);
    }
    if !tls.reject_unauthorized {
        builder.danger_accept_invalid_certs(true);
        builder.danger_accept_invalid_hostnames(true);
    }
    builder.build().map_err(unusable)
}

/// Each `-----BEGIN …-----` … `-----END …-----` block of a PEM bundle.
fn pem_blocks(pem: &[u8]) -> Vec<&[u8]> {
    const END: &[u8] = b"-----END ";
    let mut blocks = Vec::new();
    let mut rest = pem;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let Some(end) = find(&rest[start..], END) else { break };
        let tail = start + end + END.len();
        let close = find(&rest[tail..], b"-----").map_or(rest.len(), |i| tail + i + 5);
        blocks.push(&rest[start..close]);
        rest = &rest[close..];
    }
    blocks
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn handshake(
    tls: &TlsConfig,
    host: &str,
    socket: &Arc<StdTcpStream>,
    watcher: &TcpStream,
) -> Result<native_tls::TlsStream<Socket>, TierError> {
    let failed = |e: &dyn std::fmt::Display| TierError::Unavailable(format!("TLS handshake failed: {e}"));
    let mut attempt = connector(tls)?.connect(host, Socket(Arc::clone(socket)));
    loop {
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(native_tls::HandshakeError::Failure(e)) => return Err(failed(&e)),
            Err(native_tls::HandshakeError::WouldBlock(mid)) => {
                // The handshake's writes are small: it waits for the server.
                // Its step runs once the socket is readable; a step that
                // blocks again clears the readiness (so the wait is for
                // new bytes).
                watcher.readable().await.map_err(|e| failed(&e))?;
                let mut pending = Some(mid);
                let mut next = None;
                let _ = watcher.try_io(Interest::READABLE, || {
                    let Some(mid) = pending.take() else { return Ok(()) };
                    match mid.handshake() {
                        Err(native_tls::HandshakeError::WouldBlock(mid)) => {
                            pending = Some(mid);
                            Err(io::ErrorKind::WouldBlock.into())
                        }
                        done => {
                            next = Some(done);
                            Ok(())
                        }
                    }
                });
                attempt = match (next, pending) {
                    (Some(done), _) => done,
                    (None, Some(mid)) => Err(native_tls::HandshakeError::WouldBlock(mid)),
                    (None, None) => return Err(failed(&"no progress")),
                };
            }
        }
    }
}

/// RESP3 (for tracking's pushes), the credentials, the client's name for
/// CLIENT LIST, the database; as redis-rs does on connect.
async fn hello(transport: &Transport, config: &TierConfig) -> Result<(), TierError> {
    let mut pipe = redis::pipe();
    let hello = pipe.cmd("HELLO").arg(3);
    if let Some(password) = &config.password {
        hello
            .arg("AUTH")
            .arg(config.username.as_deref().unwrap_or("default"))
            .arg(password);
    }
    pipe.cmd("CLIENT").arg("SETINFO").arg("LIB-NAME").arg("tiercache");
    pipe.cmd("CLIENT")
        .arg("SETINFO")
        .arg("LIB-VER")
        .arg(env!("CARGO_PKG_VERSION"));
    if config.db != 0 {
        pipe.cmd("SELECT").arg(config.db);
    }
    let values = transport.pipeline(&pipe, 0, if config.db != 0 { 4 } else { 3 }).await?;
    let refused = |what: &str, v: &Value| match v {
        Value::ServerError(e) => Some(format!(
            "{what}: {}",
            e.details()
                .map_or(e.code().to_string(), |d| format!("{} {d}", e.code()))
        )),
        _ => None,
    };
    if let Some(why) = refused(
        "Redis refused HELLO 3 (Redis 6 or later is required) or the credentials",
        &values[0],
    ) {
        return Err(TierError::Unavailable(why));
    }
    // CLIENT SETINFO is Redis 7.2's: older servers' refusals do not matter.
    if let Some(select) = values.get(3) {
        if let Some(why) = refused("Redis refused SELECT", select) {
            return Err(TierError::Unavailable(why));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
