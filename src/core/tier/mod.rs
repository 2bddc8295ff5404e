//! The Redis tier (L2): a connection to Redis that the local store (L1)
//! reads through, writes through, and stays coherent with.
//!
//! Coherence comes from Redis's server-assisted invalidation (CLIENT TRACKING
//! in broadcast mode over RESP3): every change to a key under the key prefix,
//! by anyone, arrives as a push and drops the L1 copy. A [`guard::FillGuard`]
//! keeps a reply that raced with such a change from being cached, and losing
//! the connection (hence the invalidation stream) means the L1 can no longer
//! vouch for what it holds: it is flushed on reconnect, and after
//! `offline_grace` if Redis stays away.
//!
//! This module knows nothing of N-API: commands are submitted with a
//! completion callback and events go to a sink, both plain Rust closures.

mod batch;
pub mod breaker;
pub mod cluster;
pub mod config;
mod conn;
mod connection;
pub mod decoder;
mod dedicated;
mod direct;
pub mod error;
pub mod generic;
pub mod guard;
mod monitor;
mod ops;
mod pinned;
pub mod reply;
pub mod reply_cache;
mod runtime;
pub mod sentinel;
mod slots;
pub mod stats;
pub mod subscriber;
mod topology;
pub mod transport;
mod typed;
pub mod wire;

pub use cluster::ClusterTier;
pub use config::{TierConfig, TlsConfig};
pub use connection::{Done, Tier, TierEvent};
pub use error::TierError;
pub use ops::{ExpireMode, Expiry, GetExMode, LeaseAction, Op};
pub use reply::TierReply;
pub use sentinel::SentinelConfig;
pub use subscriber::{MessageKind, SubAction};
pub use topology::AnyTier;
pub use transport::Reader;
