//! The transport against a real redis-server of its own (on a free loopback
//! port, stopped at the end of each test).

use super::*;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Server {
    child: Child,
    port: u16,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn server(extra: &[&str]) -> Server {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("tiercache-transport-{port}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(&dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server must be on PATH for these tests (.ci/run installs it)");
    let server = Server {
        child,
        port,
        _dir: TempDir(dir),
    };
    for _ in 0..250 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server did not start on port {port}");
}

fn config(port: u16) -> TierConfig {
    TierConfig {
        port,
        ..TierConfig::default()
    }
}

async fn open(config: &TierConfig) -> (Transport, Arc<Mutex<Vec<Value>>>, Arc<AtomicUsize>) {
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let losses = Arc::new(AtomicUsize::new(0));
    let (p, l) = (Arc::clone(&pushes), Arc::clone(&losses));
    let t = Transport::connect(
        config,
        Box::new(move |v| p.lock().unwrap().push(v)),
        Box::new(move |_| {
            l.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .await
    .expect("connects");
    (t, pushes, losses)
}

fn cmd(args: &[&str]) -> redis::Cmd {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c
}

fn on_runtime<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    runtime().block_on(f);
}

#[test]
fn requests_from_many_threads_get_their_own_replies_in_order() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        // Each thread increments its own counter 2,000 times without waiting:
        // every reply must be the next integer, or replies were crossed.
        let threads: Vec<_> = (0..4)
            .map(|n| {
                let t = t.clone();
                std::thread::spawn(move || {
                    let key = format!("counter:{n}");
                    let pending: Vec<_> = (0..2000)
                        .map(|_| t.request(&cmd(&["INCR", &key]).get_packed_command(), 0, 1))
                        .collect();
                    pending
                        .into_iter()
                        .map(|rx| rx.blocking_recv().unwrap().unwrap().pop().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for th in threads {
            let replies = tokio::task::spawn_blocking(move || th.join().unwrap()).await.unwrap();
            let expected: Vec<Value> = (1..=2000).map(Value::Int).collect();
            assert_eq!(replies, expected);
        }
    });
}

#[test]
fn a_pipeline_skips_what_it_is_asked_to_and_errors_are_values() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        let mut pipe = redis::pipe();
        pipe.cmd("SET").arg("k").arg("v");
        pipe.cmd("LPUSH").arg("k").arg("x");
        pipe.cmd("GET").arg("k");
        let values = t.pipeline(&pipe, 1, 2).await.unwrap();
        assert!(
            matches!(&values[0], Value::ServerError(e) if e.code() == "WRONGTYPE"),
            "{values:?}"
        );
        assert_eq!(values[1], Value::BulkString(b"v".to_vec()));
    });
}

#[test]
fn tracking_pushes_arrive_through_the_push_hook() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, pushes, _) = open(&config(port)).await;
        let on = t.command(&cmd(&["CLIENT", "TRACKING", "ON", "BCAST"])).await.unwrap();
        assert_eq!(on, Value::Okay);
        let (other, _, _) = open(&config(port)).await;
        other.command(&cmd(&["SET", "watched", "1"])).await.unwrap();
        // The push comes before the reply to a command sent after the write.
        t.command(&cmd(&["PING"])).await.unwrap();
        let seen = pushes.lock().unwrap().clone();
        assert!(
            seen.iter()
                .any(|p| matches!(p, Value::Push { kind: redis::PushKind::Invalidate, data }
                if format!("{data:?}").contains("watched"))),
            "{seen:?}"
        );
    });
}

#[test]
fn an_abandoned_request_still_takes_its_reply_off_the_stream() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        t.command(&cmd(&["SET", "a", "first"])).await.unwrap();
        // Given up on at once (as a timeout would), before its reply comes.
        drop(t.request(&cmd(&["GET", "a"]).get_packed_command(), 0, 1));
        t.command(&cmd(&["SET", "b", "second"])).await.unwrap();
        assert_eq!(
            t.command(&cmd(&["GET", "b"])).await.unwrap(),
            Value::BulkString(b"second".to_vec())
        );
    });
}

#[test]
fn large_requests_and_replies_cross_whole() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        // 16 MB is more than the socket buffers hold: the rest is written by
        // the flusher as the server reads.
        let big: String = (0..16 * 1024 * 1024).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        let mut set = redis::cmd("SET");
        set.arg("big").arg(&big);
        let get = cmd(&["GET", "big"]);
        let (set_reply, get_reply) = tokio::join!(t.command(&set), t.command(&get));
        assert_eq!(set_reply.unwrap(), Value::Okay);
        assert_eq!(get_reply.unwrap(), Value::BulkString(big.into_bytes()));
    });
}

#[test]
fn a_lost_connection_fails_waiters_and_later_requests_and_is_reported_once() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, losses) = open(&config(port)).await;
        let (killer, _, _) = open(&config(port)).await;
        let id = match t.command(&cmd(&["CLIENT", "ID"])).await.unwrap() {
            Value::Int(id) => id.to_string(),
            other => panic!("{other:?}"),
        };
        // A request that waits for ever, then the connection is killed.
        let waiting = t.request(&cmd(&["BLPOP", "never", "0"]).get_packed_command(), 0, 1);
        killer.command(&cmd(&["CLIENT", "KILL", "ID", &id])).await.unwrap();
        let outcome = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(outcome, Err(TierError::Unavailable(_))), "{outcome:?}");
        let later = t.command(&cmd(&["PING"])).await;
        assert!(matches!(later, Err(TierError::Unavailable(_))), "{later:?}");
        t.close("closed again");
        assert_eq!(losses.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn credentials_and_database_are_applied_and_a_wrong_password_is_refused_without_showing_it() {
    let srv = server(&["--requirepass", "s3cret-pass"]);
    let port = srv.port;
    on_runtime(async move {
        let mut good = config(port);
        good.password = Some("s3cret-pass".into());
        good.db = 3;
        let (t, _, _) = open(&good).await;
        assert_eq!(
            t.command(&cmd(&["CLIENT", "INFO"]))
                .await
                .map(|v| format!("{v:?}").contains("db=3")),
            Ok(true)
        );
        let mut bad = good.clone();
        bad.password = Some("wrong-pass-123".into());
        let refused = Transport::connect(&bad, Box::new(|_| {}), Box::new(|_| {})).await;
        match refused {
            Err(TierError::Unavailable(why)) => assert!(!why.contains("wrong-pass-123"), "{why}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("a wrong password was accepted"),
        }
    });
}

#[test]
fn dropping_the_last_handle_closes_the_connection_without_reporting_a_loss() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (watcher, _, _) = open(&config(port)).await;
        let clients = || async {
            let list = watcher.command(&cmd(&["CLIENT", "LIST"])).await.unwrap();
            format!("{list:?}").matches("id=").count()
        };
        let (t, _, losses) = open(&config(port)).await;
        assert_eq!(clients().await, 2);
        drop(t);
        let mut left = 0;
        for _ in 0..100 {
            left = clients().await;
            if left == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(left, 1);
        // Letting it go is not losing it: the owner, who may hold the locks
        // its lost hook takes, is not called back.
        assert_eq!(losses.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_callback_request_past_its_deadline_times_out_and_its_late_replies_go_to_no_one() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let mut cfg = config(port);
        cfg.command_timeout = Duration::from_millis(40);
        let (t, _, losses) = open(&cfg).await;
        // Redis answers after 300 ms (BLPOP's own timeout): far past the 40 ms deadline.
        let (tx, rx) = oneshot::channel();
        let started = Instant::now();
        let thread = std::thread::current().id();
        t.request_with(
            &cmd(&["BLPOP", "never", "0.3"]).get_packed_command(),
            0,
            1,
            Instant::now() + Duration::from_millis(40),
            Box::new(move |outcome| drop(tx.send((outcome, std::thread::current().id())))),
        );
        let (outcome, called_on) = rx.await.unwrap();
        assert_eq!(outcome, Err(TierError::Timeout));
        assert_ne!(called_on, thread, "the watchdog, not the caller, reports the timeout");
        let waited = started.elapsed();
        // The watchdog sleeps until the deadline it knows of (a tenth of commandTimeout at most when it knows none).
        assert!(waited >= Duration::from_millis(40), "{waited:?}");
        assert!(waited < Duration::from_millis(250), "{waited:?}");
        // The late reply (nil) is read and dropped: the next request gets its own.
        assert_eq!(
            t.command(&cmd(&["ECHO", "mine"])).await.unwrap(),
            Value::BulkString(b"mine".to_vec())
        );
        assert_eq!(losses.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn callback_requests_complete_in_order_on_the_reading_thread() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = oneshot::channel();
        let mut tx = Some(tx);
        for i in 0..500 {
            let seen = Arc::clone(&seen);
            let last = if i == 499 { tx.take() } else { None };
            t.request_with(
                &cmd(&["INCR", "n"]).get_packed_command(),
                0,
                1,
                Instant::now() + Duration::from_secs(5),
                Box::new(move |outcome| {
                    seen.lock().unwrap().push(outcome.unwrap().pop().unwrap());
                    if let Some(tx) = last {
                        let _ = tx.send(());
                    }
                }),
            );
        }
        rx.await.unwrap();
        let expected: Vec<Value> = (1..=500).map(Value::Int).collect();
        assert_eq!(*seen.lock().unwrap(), expected);
    });
}

#[test]
fn callback_requests_fail_with_the_connection() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        let (tx, rx) = oneshot::channel();
        t.request_with(
            &cmd(&["BLPOP", "never", "0"]).get_packed_command(),
            0,
            1,
            Instant::now() + Duration::from_secs(60),
            Box::new(move |outcome| drop(tx.send(outcome))),
        );
        t.close("closed by the test");
        assert!(matches!(rx.await.unwrap(), Err(TierError::Unavailable(_))));
        // And after the loss, at once.
        let (tx, rx) = oneshot::channel();
        t.request_with(
            &cmd(&["PING"]).get_packed_command(),
            0,
            1,
            Instant::now() + Duration::from_secs(60),
            Box::new(move |outcome| drop(tx.send(outcome))),
        );
        assert!(matches!(rx.await.unwrap(), Err(TierError::Unavailable(_))));
    });
}

#[test]
fn a_reader_thread_reads_and_delivers_in_order_the_io_thread_only_as_a_fallback() {
    let srv = server(&[]);
    let port = srv.port;
    on_runtime(async move {
        let (t, _, _) = open(&config(port)).await;
        let reader = t.reader();
        // Read by the reader's thread: a poll loop of its own, as the binding's.
        let reading = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let r = Arc::clone(&reading);
        let poller = std::thread::spawn(move || {
            let mut reads = 0u64;
            while r.load(Ordering::SeqCst) {
                if !reader.read() {
                    break;
                }
                reads += 1;
                std::thread::sleep(Duration::from_micros(50));
            }
            (reads, reader)
        });
        // Replies in order however the reading is shared: 2,000 INCRs
        // written by this thread, the I/O thread switched on and off.
        let mut pending = Vec::new();
        for i in 0..2000 {
            pending.push(t.request(&cmd(&["INCR", "shared"]).get_packed_command(), 0, 1));
            if i % 500 == 0 {
                tokio::task::yield_now().await;
            }
        }
        for (i, rx) in pending.into_iter().enumerate() {
            assert_eq!(rx.await.unwrap().unwrap(), vec![Value::Int(i as i64 + 1)]);
        }
        reading.store(false, Ordering::SeqCst);
        let (reads, reader) = tokio::task::spawn_blocking(move || poller.join().unwrap())
            .await
            .unwrap();
        assert!(reads > 0);
        // Nobody polls now: the I/O thread still reads, every FALLBACK_READ.
        let started = Instant::now();
        let v = t
            .request(&cmd(&["PING"]).get_packed_command(), 0, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![Value::SimpleString("PONG".into())]);
        assert!(started.elapsed() < Duration::from_secs(2));
        // Shared back: read as soon as it is readable (and the reader,
        // dropped, leaves it so).
        reader.share(true);
        drop(reader);
        let v = t.command(&cmd(&["INCR", "shared"])).await.unwrap();
        assert_eq!(v, Value::Int(2001));
    });
}
