//! tiercache: a two-level cache for Node.js.
//!
//! `core` is the engine and knows nothing of N-API; `binding` is the thin
//! `#[napi]` layer that JavaScript calls.

pub mod core;

// The engine's tests need no Node; the binding is only built for the addon.
#[cfg(not(test))]
mod binding;
