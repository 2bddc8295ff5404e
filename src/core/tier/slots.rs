//! Redis Cluster's hash slots: CRC16 (XMODEM) of the key, or of its hash tag
//! (the first `{…}` with something inside), modulo 16384.

pub const SLOTS: usize = 16384;

const fn crc16_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

static CRC16: [u16; 256] = crc16_table();

fn crc16(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |crc, &b| (crc << 8) ^ CRC16[usize::from((crc >> 8) as u8 ^ b)])
}

/// The part of `key` that is hashed: its hash tag if it has a non-empty one.
fn hashed(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        if let Some(len) = key[open + 1..].iter().position(|&b| b == b'}') {
            if len > 0 {
                return &key[open + 1..open + 1 + len];
            }
        }
    }
    key
}

/// The hash slot of `key` (as sent, the key prefix included).
pub fn slot(key: &[u8]) -> u16 {
    crc16(hashed(key)) % SLOTS as u16
}

/// The slot of `prefix` + `key`, without building the whole key when the
/// prefix has no `{` (then the tag, if any, is the key's own).
pub fn slot_of(prefix: &[u8], key: &[u8]) -> u16 {
    if prefix.is_empty() {
        return slot(key);
    }
    let mut full = Vec::with_capacity(prefix.len() + key.len());
    full.extend_from_slice(prefix);
    full.extend_from_slice(key);
    slot(&full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_cluster_keyslot() {
        // Values from CLUSTER KEYSLOT on Redis 7.0.
        assert_eq!(slot(b"foo"), 12182);
        assert_eq!(slot(b"bar"), 5061);
        assert_eq!(slot(b"123456789"), 12739);
        assert_eq!(slot(b""), 0);
    }

    #[test]
    fn hash_tags_as_redis_reads_them() {
        assert_eq!(slot(b"{user1000}.following"), slot(b"user1000"));
        assert_eq!(slot(b"{user1000}.followers"), slot(b"{user1000}.following"));
        // An empty tag hashes the whole key; only the first tag counts.
        assert_eq!(slot(b"foo{}{bar}"), crc16(b"foo{}{bar}") % 16384);
        assert_eq!(slot(b"foo{{bar}}zap"), slot(b"{bar"));
        assert_eq!(slot(b"foo{bar}{zap}"), slot(b"bar"));
        assert_eq!(slot(b"a{"), crc16(b"a{") % 16384);
        assert_eq!(slot_of(b"app:", b"{t}x"), slot(b"t"));
        assert_eq!(slot_of(b"{tenant}:", b"x"), slot(b"tenant"));
    }
}
