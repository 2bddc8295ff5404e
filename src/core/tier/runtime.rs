//! The process-wide tokio runtime that drives every Redis connection. One
//! worker thread: the work per command is tiny (encode, a syscall, decode),
//! and Node's own thread needs the other core more.

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tiercache-redis")
            .enable_all()
            .build()
            .expect("tiercache: cannot start the Redis I/O thread")
    })
}
