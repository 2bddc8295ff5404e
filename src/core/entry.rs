//! What L1 stores per key: the value's bytes, what kind of value they encode,
//! and when the key expires.

use std::sync::Arc;

/// How the bytes of a value are to be read back.
///
/// `Raw` is what Redis holds for strings, Buffers and numbers: the bytes
/// themselves. `Json`, `V8` and `Custom` are JS objects encoded by a codec;
/// the tag lets any thread decode an entry with the codec that wrote it.
/// `MetaText` and `MetaBytes` are values written by the cache patterns
/// (getOrSet, tags): a small text header (logical expiry, tags) before the
/// value; text when the whole is UTF-8, bytes otherwise. The store treats
/// them as opaque bytes like the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Raw = 0,
    Json = 1,
    V8 = 2,
    Custom = 3,
    MetaText = 4,
    MetaBytes = 5,
    /// Replies of cacheable reads of a Redis key that is not a string (a
    /// hash, set, …), each under the read's command and arguments (see
    /// `tier::reply_cache`). Never a value of the string commands: their
    /// reads treat such an entry as absent, and `from_u32` refuses it, so
    /// no caller can write one.
    Replies = 6,
}

impl Kind {
    pub fn from_u32(v: u32) -> Option<Kind> {
        match v {
            0 => Some(Kind::Raw),
            1 => Some(Kind::Json),
            2 => Some(Kind::V8),
            3 => Some(Kind::Custom),
            4 => Some(Kind::MetaText),
            5 => Some(Kind::MetaBytes),
            _ => None,
        }
    }
}

/// Deadline value meaning "never expires" (Redis's TTL -1).
pub const NO_EXPIRY: u64 = 0;

/// One cached entry: its key and value in a single shared allocation (one
/// cache miss reads both, and one allocation per entry keeps memory low),
/// what kind of value the bytes encode, and when it expires. Cloning is
/// cheap: the bytes are shared.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key's bytes followed by the value's.
    bytes: Arc<[u8]>,
    key_len: u32,
    /// Absolute Unix milliseconds, or [`NO_EXPIRY`].
    pub deadline: u64,
    pub kind: Kind,
}

impl Entry {
    /// Copies `key` and `value` into a new entry.
    pub fn new(key: &[u8], value: &[u8], kind: Kind, deadline: u64) -> Self {
        let mut bytes = Vec::with_capacity(key.len() + value.len());
        bytes.extend_from_slice(key);
        bytes.extend_from_slice(value);
        Self {
            bytes: bytes.into(),
            key_len: key.len() as u32,
            deadline,
            kind,
        }
    }

    /// A placeholder with no key and no value (for free slots).
    pub fn empty() -> Self {
        static EMPTY: std::sync::OnceLock<Arc<[u8]>> = std::sync::OnceLock::new();
        Self {
            bytes: Arc::clone(EMPTY.get_or_init(|| Arc::from(&[][..]))),
            key_len: 0,
            deadline: NO_EXPIRY,
            kind: Kind::Raw,
        }
    }

    #[inline]
    pub fn key(&self) -> &[u8] {
        &self.bytes[..self.key_len as usize]
    }

    #[inline]
    pub fn value(&self) -> &[u8] {
        &self.bytes[self.key_len as usize..]
    }

    /// Whether the entry is logically gone at `now_ms` (Redis semantics: a key
    /// whose deadline has passed does not exist, whether or not it was reclaimed).
    #[inline]
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.deadline != NO_EXPIRY && self.deadline <= now_ms
    }

    /// The same key and value with another deadline (the bytes are shared).
    pub fn with_deadline(&self, deadline: u64) -> Self {
        Self {
            bytes: Arc::clone(&self.bytes),
            key_len: self.key_len,
            deadline,
            kind: self.kind,
        }
    }

    /// Remaining lifetime in ms as Redis's PTTL reports it: -1 for no expiry.
    pub fn pttl(&self, now_ms: u64) -> i64 {
        if self.deadline == NO_EXPIRY {
            -1
        } else {
            self.deadline.saturating_sub(now_ms) as i64
        }
    }
}
