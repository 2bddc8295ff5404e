//! How values are stored in Redis. Strings and Buffers are stored as their
//! bytes, unchanged, so redis-cli, ioredis and every other client read what
//! tiercache wrote and the other way round. Objects (codec output) carry a
//! 4-byte header, so they come back from Redis as the same type: 0xF5 is
//! never part of UTF-8 text, so no string can be taken for an object. A raw
//! Buffer that happens to start with the header is written with a raw header
//! of its own, so it too round-trips unchanged.

use crate::core::entry::Kind;

pub const MAGIC: [u8; 3] = [0xF5, b'T', b'C'];
const HEADER_LEN: usize = MAGIC.len() + 1;

fn kind_byte(kind: Kind) -> u8 {
    b'0' + kind as u8
}

/// The bytes to store in Redis for `payload` of `kind`, or None when the
/// payload itself is what Redis should hold (the common, copy-free case).
pub fn header(kind: Kind, payload: &[u8]) -> Option<[u8; HEADER_LEN]> {
    if kind == Kind::Raw && !payload.starts_with(&MAGIC) {
        return None;
    }
    Some([MAGIC[0], MAGIC[1], MAGIC[2], kind_byte(kind)])
}

/// Encodes into one buffer (for callers that need contiguous bytes).
pub fn encode(kind: Kind, payload: &[u8]) -> Vec<u8> {
    match header(kind, payload) {
        None => payload.to_vec(),
        Some(h) => {
            let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
            out.extend_from_slice(&h);
            out.extend_from_slice(payload);
            out
        }
    }
}

/// The kind and payload of bytes read from Redis.
pub fn decode(bytes: &[u8]) -> (Kind, &[u8]) {
    if bytes.len() >= HEADER_LEN && bytes.starts_with(&MAGIC) {
        if let Some(kind) = bytes[3].checked_sub(b'0').and_then(|k| Kind::from_u32(k as u32)) {
            return (kind, &bytes[HEADER_LEN..]);
        }
    }
    (Kind::Raw, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_stored_as_themselves() {
        assert_eq!(encode(Kind::Raw, b"hello"), b"hello");
        assert_eq!(decode(b"hello"), (Kind::Raw, &b"hello"[..]));
        assert_eq!(decode(b""), (Kind::Raw, &b""[..]));
    }

    #[test]
    fn every_kind_round_trips() {
        for kind in [
            Kind::Raw,
            Kind::Json,
            Kind::V8,
            Kind::Custom,
            Kind::MetaText,
            Kind::MetaBytes,
        ] {
            for payload in [&b""[..], b"{\"a\":1}", &[0xF5, b'T', b'C', b'1', 9], &[0xF5]] {
                let stored = encode(kind, payload);
                assert_eq!(decode(&stored), (kind, payload), "{kind:?} {payload:?}");
            }
        }
    }

    #[test]
    fn a_buffer_that_looks_like_a_header_stays_a_buffer() {
        let tricky = [0xF5, b'T', b'C', b'1', b'{', b'}'];
        let stored = encode(Kind::Raw, &tricky);
        assert_eq!(stored.len(), tricky.len() + 4);
        assert_eq!(decode(&stored), (Kind::Raw, &tricky[..]));
    }
}
