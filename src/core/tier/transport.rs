//! A Redis connection of our own: the socket, the bytes not yet written and,
//! in order, who waits for which replies (docs/internals.md, "The transport").
//!
//! It replaces redis-rs's multiplexed connection for an instance's main
//! connection. The multiplexed connection can only be written by its own
//! task, so every command costs a wake-up of the I/O thread; here any thread
//! writes under one lock, straight to the socket, and the order in which
//! requests are queued under that lock is the order of their bytes on the
//! wire, hence of their replies. Reading is the I/O thread's today (the
//! reader task below); the plan moves it to the JS thread, which is why the
//! reading step ([`Transport::read_available`]) is a plain function of its own.
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
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use redis::Value;
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

/// The socket as `std::io`, never blocking: tokio's readiness says when to
/// try again. Usable from any thread.
struct Socket(Arc<TcpStream>);

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Stream {
    Plain(Socket),
    Tls(Box<native_tls::TlsStream<Socket>>),
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
    tcp: Arc<TcpStream>,
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
        let _ = socket2::SockRef::from(&*self.tcp).shutdown(std::net::Shutdown::Both);
        self.unwritten.notify_one();
        // The owner hears first, so a caller who sees its request fail finds
        // the loss already known.
        if report {
            (self.on_lost)(why);
        }
        for w in waiting {
            w.reply.send(Err(TierError::Unavailable(why.to_string())));
        }
    }

    /// Reads everything the socket has, and takes every complete reply off
    /// it. Err: the connection is unusable (closed, reset, garbage).
    fn read_available(&self) -> Result<Vec<Delivery>, String> {
        let mut io = self.io();
        if let Some(why) = &io.lost {
            return Err(why.clone());
        }
        loop {
            let Io { stream, decoder, .. } = &mut *io;
            match decoder.read_from(stream) {
                Ok(0) => return Err("connection closed by Redis".into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("connection broken: {e}")),
            }
        }
        let mut deliveries = Vec::new();
        while let Some(value) = io.decoder.next_value().map_err(|e| e.to_string())? {
            if let Value::Push { .. } = value {
                deliveries.push(Delivery::Push(value));
                continue;
            }
            let Some(head) = io.waiting.front_mut() else {
                return Err("a reply nobody asked for".into());
            };
            if head.skip > 0 {
                head.skip -= 1;
            } else {
                head.values.push(value);
            }
            if head.skip == 0 && head.values.len() == head.take {
                let w = io.waiting.pop_front().expect("the head waiter");
                deliveries.push(match w.reply {
                    // Answered after its deadline: a timeout, as if the
                    // watchdog had looked first (it may be due to).
                    Reply::Call(call, at) if at <= Instant::now() => Delivery::Late(call),
                    reply => Delivery::Done(reply, w.values),
                });
            }
        }
        Ok(deliveries)
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

async fn read_loop(shared: Arc<Shared>) {
    loop {
        if let Err(e) = shared.tcp.readable().await {
            shared.fail(&format!("connection broken: {e}"), true);
            return;
        }
        match shared.read_available() {
            Ok(deliveries) => shared.deliver(deliveries),
            Err(why) => {
                shared.fail(&why, true);
                return;
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
            if let Err(e) = shared.tcp.writable().await {
                shared.fail(&format!("connection broken: {e}"), true);
                return;
            }
            let flushed = shared.io().flush();
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
            let tcp = Arc::new(tcp);
            let stream = match &config.tls {
                None => Stream::Plain(Socket(Arc::clone(&tcp))),
                Some(tls) => Stream::Tls(Box::new(handshake(tls, &config.host, &tcp).await?)),
            };
            // A tenth of commandTimeout, within 2–100 ms.
            let watch_every = (config.command_timeout / 10).clamp(Duration::from_millis(2), Duration::from_millis(100));
            let transport = Transport::start(tcp, stream, watch_every, on_push, on_lost);
            hello(&transport, config).await?;
            Ok(transport)
        };
        match tokio::time::timeout(config.connect_timeout, attempt).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TierError::Unavailable("connection timed out".into())),
        }
    }

    fn start(
        tcp: Arc<TcpStream>,
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
            }),
            tcp,
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
    tcp: &Arc<TcpStream>,
) -> Result<native_tls::TlsStream<Socket>, TierError> {
    let mut attempt = connector(tls)?.connect(host, Socket(Arc::clone(tcp)));
    loop {
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(native_tls::HandshakeError::Failure(e)) => {
                return Err(TierError::Unavailable(format!("TLS handshake failed: {e}")));
            }
            Err(native_tls::HandshakeError::WouldBlock(mid)) => {
                // The handshake's writes are small: it waits for the server.
                tcp.readable()
                    .await
                    .map_err(|e| TierError::Unavailable(format!("TLS handshake failed: {e}")))?;
                attempt = mid.handshake();
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
