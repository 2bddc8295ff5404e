//! Replies of the Redis tier, in the shapes the facade hands to users (the
//! same shapes as the L1 commands: values as entries, counts as integers).

use super::generic::Resp2;
use crate::core::entry::Entry;

#[derive(Debug, Clone)]
pub enum TierReply {
    Null,
    /// A status reply such as "OK" or "PONG".
    Status(&'static str),
    Int(i64),
    /// A string reply that is not a stored value (INCRBYFLOAT, cursors, keys).
    Text(String),
    /// A stored value, decoded from its wire form (kind and payload).
    Value(Entry),
    /// A stored value's payload as a Buffer (`getBuffer`).
    Buffer(Entry),
    List(Vec<TierReply>),
    /// A reply of the generic command path; bulk strings as Buffers with `buffers`.
    Generic {
        value: Resp2,
        buffers: bool,
    },
}
