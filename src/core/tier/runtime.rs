//! The process-wide tokio runtime that drives every Redis connection. One
//! worker thread: the work per command is tiny (encode, a syscall, decode),
//! and Node's own thread needs the other core more.
//!
//! # Exit
//! TLS goes through OpenSSL, and inside Node our calls resolve to Node's own
//! (statically linked, exported) OpenSSL. When the process exits, OpenSSL's
//! `atexit` cleanup frees its global tables; an I/O thread still inside
//! OpenSSL then (loading the CA store for a connection being made, say)
//! crashed the process with SIGSEGV or SIGABRT. So the first use of the
//! runtime registers an `atexit` handler of ours: handlers run in reverse
//! order of registration, and OpenSSL registered its own when Node started,
//! so ours runs first. It parks the I/O thread for the rest of the process's
//! life (after the step it is in finishes, within a bound) before OpenSSL
//! cleans up.

use std::sync::mpsc::sync_channel;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// How long exit waits for the I/O thread to finish the step it is in.
const EXIT_QUIESCE_BOUND: Duration = Duration::from_secs(2);

pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tiercache-redis")
            .enable_all()
            .build()
            .expect("tiercache: cannot start the Redis I/O thread");
        // SAFETY: `atexit` takes a plain `extern "C" fn()` with no captured
        // state; registering one has no other precondition.
        unsafe { atexit(quiesce_at_exit) };
        runtime
    })
}

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

/// Holds the I/O thread still while the process exits (see the module docs).
extern "C" fn quiesce_at_exit() {
    // Never unwind into C: a panic here is ignored (the exit goes on).
    let _ = std::panic::catch_unwind(|| {
        let Some(runtime) = RUNTIME.get() else { return };
        let (started, parked) = sync_channel::<()>(1);
        runtime.spawn(async move {
            let _ = started.send(());
            // The one worker thread runs nothing else from now on.
            loop {
                std::thread::park();
            }
        });
        let _ = parked.recv_timeout(EXIT_QUIESCE_BOUND);
    });
}
