//! tiercache: a two-level cache for Node.js.
//!
//! `core` is the engine and knows nothing of N-API; `binding` is the thin
//! `#[napi]` layer that JavaScript calls.

pub mod core;

// The engine's tests need no Node; the binding is only built for the addon.
#[cfg(not(test))]
mod binding;

// mimalloc: the Redis tier allocates a dozen small objects per command, and
// glibc's malloc was a fifth of the I/O thread's time.
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
