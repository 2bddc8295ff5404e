//! L1 copies of the replies of cacheable reads on hashes, sets, sorted sets
//! and lists (HGETALL, SMEMBERS, ZRANGE, LRANGE, … : the command table's
//! `cacheable` flag).
//!
//! One L1 entry per Redis key, of kind [`Kind::Replies`], holds the replies
//! of every cached read of that key, each under its *subkey* (the command
//! name and its arguments other than the key). Keeping them in the key's
//! own entry, rather than one entry per (key, command), is what makes them
//! coherent for free: every way L1 drops a key (an invalidation push, a
//! write through this instance, DEL, FLUSHDB, the offline rules, eviction,
//! expiry) drops the one entry and with it every reply derived from the key;
//! the entry's deadline is the key's TTL; its bytes count against the same
//! budget as any value. A fill takes the same guard ticket as a GET's and
//! merges under the shard lock, so a reply that raced with a change is never
//! kept (see [`super::guard`]).
//!
//! Encoding of the entry's value: records of `u32 subkey length, subkey,
//! reply`; a reply is a tag byte then its payload (lengths as u32 LE).

use redis::Value;

use super::connection::Inner;
use super::error::TierError;
use super::generic::{resp2_reply, Resp2};
use super::guard::Ticket;
use super::ops;
use crate::core::entry::{Entry, Kind};
use crate::core::local::LocalStore;

const NULL: u8 = 0;
const INT: u8 = 1;
const BULK: u8 = 2;
const STATUS: u8 = 3;
const ARRAY: u8 = 4;
const ERROR: u8 = 5;

/// The subkey of a read: its name (upper case) and every argument but the
/// key at `key_at`, each length-prefixed so that no two argument lists
/// share one.
pub fn subkey(argv: &[Vec<u8>], key_at: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(argv.iter().map(|a| a.len() + 4).sum());
    for (i, arg) in argv.iter().enumerate() {
        if i == key_at {
            continue;
        }
        put_len(&mut out, arg.len());
        if i == 0 {
            out.extend(arg.iter().map(u8::to_ascii_uppercase));
        } else {
            out.extend_from_slice(arg);
        }
    }
    out
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn encode_reply(out: &mut Vec<u8>, r: &Resp2) {
    match r {
        Resp2::Null => out.push(NULL),
        Resp2::Int(n) => {
            out.push(INT);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Resp2::Bulk(b) => {
            out.push(BULK);
            put_len(out, b.len());
            out.extend_from_slice(b);
        }
        Resp2::Status(s) => {
            out.push(STATUS);
            put_len(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Resp2::Error(s) => {
            out.push(ERROR);
            put_len(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Resp2::Array(items) => {
            out.push(ARRAY);
            put_len(out, items.len());
            for i in items {
                encode_reply(out, i);
            }
        }
    }
}

/// A reader over an entry's bytes; every read is bounds-checked (None on
/// a short or malformed value: then nothing is served from it).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn len(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    fn reply(&mut self) -> Option<Resp2> {
        let tag = *self.take(1)?.first()?;
        Some(match tag {
            NULL => Resp2::Null,
            INT => Resp2::Int(i64::from_le_bytes(self.take(8)?.try_into().ok()?)),
            BULK => {
                let n = self.len()?;
                Resp2::Bulk(self.take(n)?.to_vec())
            }
            STATUS | ERROR => {
                let n = self.len()?;
                let s = String::from_utf8_lossy(self.take(n)?).into_owned();
                if tag == STATUS {
                    Resp2::Status(s)
                } else {
                    Resp2::Error(s)
                }
            }
            ARRAY => {
                let n = self.len()?;
                // Each item takes at least one byte: a corrupt count cannot reserve much.
                let mut items = Vec::with_capacity(n.min(self.bytes.len() - self.at));
                for _ in 0..n {
                    items.push(self.reply()?);
                }
                Resp2::Array(items)
            }
            _ => return None,
        })
    }

    /// Skips one encoded reply.
    fn skip(&mut self) -> Option<()> {
        let tag = *self.take(1)?.first()?;
        match tag {
            NULL => {}
            INT => {
                self.take(8)?;
            }
            BULK | STATUS | ERROR => {
                let n = self.len()?;
                self.take(n)?;
            }
            ARRAY => {
                let n = self.len()?;
                for _ in 0..n {
                    self.skip()?;
                }
            }
            _ => return None,
        }
        Some(())
    }
}

/// The reply cached under `sub` in an entry's value.
pub fn find(value: &[u8], sub: &[u8]) -> Option<Resp2> {
    let mut r = Reader { bytes: value, at: 0 };
    while r.at < value.len() {
        let n = r.len()?;
        if r.take(n)? == sub {
            return r.reply();
        }
        r.skip()?;
    }
    None
}

/// `value` (the replies already cached for the key, if any) with `reply`
/// under `sub`, replacing a previous one.
pub fn merged(value: Option<&[u8]>, sub: &[u8], reply: &Resp2) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(value) = value {
        let mut r = Reader { bytes: value, at: 0 };
        while r.at < value.len() {
            let start = r.at;
            let Some(n) = r.len() else { break };
            let Some(s) = r.take(n) else { break };
            let same = s == sub;
            if r.skip().is_none() {
                break;
            }
            if !same {
                out.extend_from_slice(&value[start..r.at]);
            }
        }
    }
    put_len(&mut out, sub.len());
    out.extend_from_slice(sub);
    encode_reply(&mut out, reply);
    out
}

/// The cached reply of `sub` for `key`, with the entry's remaining TTL
/// (-1: none). Counted as an L1 hit or miss.
pub fn lookup(store: &LocalStore, key: &[u8], sub: &[u8]) -> Option<(Resp2, i64)> {
    let found = store
        .replies_with_pttl(key)
        .and_then(|(e, pttl)| find(e.value(), sub).map(|r| (r, pttl)));
    store.count_reply_read(found.is_some());
    found
}

/// Caches `reply` of `sub` for `key` until `deadline`, if the ticket taken
/// before the read was sent is still good under the shard lock. The replies
/// already cached for the key are kept only if the entry holds replies (a
/// key is one type at a time in Redis; a string copy is replaced) and the
/// whole fits the store's per-entry bound; otherwise the entry starts over
/// with this reply alone.
pub fn fill(
    store: &LocalStore,
    may_fill: impl FnOnce() -> bool,
    key: &[u8],
    sub: &[u8],
    reply: &Resp2,
    deadline: u64,
) -> bool {
    let max = store.max_value_bytes(key.len());
    store.fill_with_if(key, may_fill, |current| {
        let previous = current.filter(|e| e.kind == Kind::Replies).map(|e| e.value());
        let mut value = merged(previous, sub, reply);
        if value.len() as u64 > max && previous.is_some() {
            value = merged(None, sub, reply);
        }
        if value.len() as u64 > max {
            return None;
        }
        Some(Entry::new(key, &value, Kind::Replies, deadline))
    })
}

/// The reply of a cacheable read (`argv` as the user gave it, the key at
/// `key_at`) from Redis's `answer` and its key's `pttl`, sent with it in one
/// round trip (see `super::batch`); the reply is cached until the key's
/// deadline if `ticket` (taken before the read was submitted) is still good.
/// A reply for an absent or expiring key is not cached (PTTL -2 or 0), nor
/// an error.
pub(super) fn answered(
    inner: &Inner,
    argv: &[Vec<u8>],
    key_at: usize,
    ticket: &Ticket,
    sent: u64,
    answer: Value,
    pttl: Value,
) -> Result<Resp2, TierError> {
    let (Some(name), Some(key)) = (argv.first(), argv.get(key_at)) else {
        return Err(TierError::Reply("ERR empty command".into()));
    };
    let pttl = match pttl {
        Value::Int(n) => n,
        _ => -2,
    };
    let reply = resp2_reply(name, answer)?;
    if let Some(deadline) = ops::deadline_for_pttl(inner, pttl, sent) {
        let sub = subkey(argv, key_at);
        fill(
            &inner.store,
            || inner.guard.may_fill(ticket),
            key,
            &sub,
            &reply,
            deadline,
        );
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::entry::NO_EXPIRY;
    use crate::core::local::LocalConfig;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn sample() -> Resp2 {
        Resp2::Array(vec![
            Resp2::Bulk(b"f".to_vec()),
            Resp2::Bulk(vec![0xff, 0]),
            Resp2::Int(-7),
            Resp2::Null,
            Resp2::Status("OK".into()),
            Resp2::Array(vec![]),
        ])
    }

    #[test]
    fn subkeys_leave_out_the_key_and_never_collide() {
        assert_eq!(
            subkey(&argv(&["hget", "k", "f"]), 1),
            subkey(&argv(&["HGET", "other", "f"]), 1)
        );
        assert_ne!(
            subkey(&argv(&["HMGET", "k", "a\0b"]), 1),
            subkey(&argv(&["HMGET", "k", "a", "b"]), 1)
        );
        assert_ne!(
            subkey(&argv(&["HGET", "k", "ab"]), 1),
            subkey(&argv(&["HGET", "k", "a", "b"]), 1)
        );
    }

    #[test]
    fn replies_round_trip_and_merge_per_subkey() {
        let v = merged(None, b"A", &sample());
        assert_eq!(find(&v, b"A"), Some(sample()));
        assert_eq!(find(&v, b"B"), None);
        let v = merged(Some(&v), b"B", &Resp2::Int(3));
        let v = merged(Some(&v), b"A", &Resp2::Null);
        assert_eq!(find(&v, b"A"), Some(Resp2::Null));
        assert_eq!(find(&v, b"B"), Some(Resp2::Int(3)));
        // A truncated value serves nothing rather than panicking.
        for cut in 0..v.len() {
            let _ = find(&v[..cut], b"B");
            let _ = merged(Some(&v[..cut]), b"C", &Resp2::Null);
        }
    }

    #[test]
    fn the_store_keeps_them_under_the_key_and_hides_them_from_string_reads() {
        let store = LocalStore::new(LocalConfig::default());
        assert!(fill(&store, || true, b"h", b"S1", &sample(), NO_EXPIRY));
        assert!(fill(&store, || true, b"h", b"S2", &Resp2::Int(1), NO_EXPIRY));
        assert_eq!(lookup(&store, b"h", b"S1").map(|(r, _)| r), Some(sample()));
        assert_eq!(lookup(&store, b"h", b"S2"), Some((Resp2::Int(1), -1)));
        assert!(store.get(b"h").is_none(), "a string read never sees cached replies");
        assert!(store.peek(b"h").is_none());
        // A refused ticket keeps nothing.
        assert!(!fill(&store, || false, b"h", b"S3", &Resp2::Int(2), NO_EXPIRY));
        assert!(lookup(&store, b"h", b"S3").is_none());
        // Dropping the key drops every reply of it.
        store.drop_copies(&[b"h"]);
        assert!(lookup(&store, b"h", b"S1").is_none());
        assert!(lookup(&store, b"h", b"S2").is_none());
    }

    #[test]
    fn a_fill_is_refused_when_the_key_changed_after_its_read_was_sent() {
        use super::super::guard::FillGuard;
        let store = LocalStore::new(LocalConfig::default());
        let guard = FillGuard::default();
        // A write of the key in flight when the read's reply arrives.
        let read = guard.read_ticket(b"h");
        let write = guard.begin_write(b"h");
        assert!(!fill(
            &store,
            || guard.may_fill(&read),
            b"h",
            b"S",
            &Resp2::Int(1),
            NO_EXPIRY
        ));
        guard.end_write(&write);
        assert!(!fill(
            &store,
            || guard.may_fill(&read),
            b"h",
            b"S",
            &Resp2::Int(1),
            NO_EXPIRY
        ));
        // An invalidation between the read and its reply.
        let read = guard.read_ticket(b"h");
        guard.invalidate(b"h");
        assert!(!fill(
            &store,
            || guard.may_fill(&read),
            b"h",
            b"S",
            &Resp2::Int(1),
            NO_EXPIRY
        ));
        assert!(lookup(&store, b"h", b"S").is_none());
        // A cached reply of another read of the key does not survive a refused fill's key change.
        let read = guard.read_ticket(b"h");
        assert!(fill(
            &store,
            || guard.may_fill(&read),
            b"h",
            b"S",
            &Resp2::Int(2),
            NO_EXPIRY
        ));
        assert_eq!(lookup(&store, b"h", b"S").map(|(r, _)| r), Some(Resp2::Int(2)));
    }

    #[test]
    fn a_string_copy_is_replaced_and_an_oversized_merge_starts_over() {
        use crate::core::local::SetOptions;
        let store = LocalStore::new(LocalConfig {
            max_value_bytes: 200,
            ..LocalConfig::default()
        });
        store.set(b"k", b"a string", Kind::Raw, SetOptions::default()).unwrap();
        assert!(fill(&store, || true, b"k", b"S", &Resp2::Int(1), NO_EXPIRY));
        assert!(store.get(b"k").is_none());
        let big = Resp2::Bulk(vec![1; 150]);
        assert!(fill(&store, || true, b"k", b"A", &big, NO_EXPIRY));
        assert!(fill(&store, || true, b"k", b"B", &big, NO_EXPIRY));
        assert!(lookup(&store, b"k", b"A").is_none(), "A and B do not fit together");
        assert!(lookup(&store, b"k", b"B").is_some());
        assert!(!fill(
            &store,
            || true,
            b"k",
            b"C",
            &Resp2::Bulk(vec![1; 300]),
            NO_EXPIRY
        ));
    }

    #[test]
    fn they_expire_with_the_key_and_count_against_the_byte_budget() {
        let store = LocalStore::new(LocalConfig::default());
        let now = store.now_ms();
        assert!(fill(&store, || true, b"h", b"S", &Resp2::Int(1), now + 50));
        assert!(matches!(lookup(&store, b"h", b"S"), Some((_, ttl)) if ttl > 0 && ttl <= 50));
        store.advance_time(51);
        assert!(lookup(&store, b"h", b"S").is_none());
        let before = store.stats();
        let big = Resp2::Array((0..100).map(|_| Resp2::Bulk(vec![7; 1000])).collect());
        assert!(fill(&store, || true, b"big", b"S", &big, NO_EXPIRY));
        assert!(store.stats().bytes >= before.bytes + 100_000);
    }
}
