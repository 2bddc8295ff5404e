//! Sealed writes: a record deleted by writing a seal (a sentinel value) in
//! its place stays deleted while writers that read it earlier are still in
//! flight. Each action checks the seal and writes in one atomic step (under
//! the shard lock in L1, as one script in Redis), so a write that arrives
//! after the seal is refused instead of bringing the record back. The seal
//! keeps the record's remaining lifetime, so it expires when the record
//! would have. Used by the express-session store (a destroyed session).

/// One sealed write on a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedAction {
    /// Writes the value for `ms` unless the key holds the seal: 1 written, 0 refused.
    Put,
    /// Replaces the value by the seal, keeping its remaining TTL (or `ms`
    /// when it has none), if the key exists: 1 sealed, 0 absent.
    Seal,
    /// Sets the TTL to `ms` unless the key holds the seal: 1 retimed, 0
    /// refused or absent.
    Retime,
}

impl SealedAction {
    pub fn from_u32(n: u32) -> Option<Self> {
        match n {
            0 => Some(SealedAction::Put),
            1 => Some(SealedAction::Seal),
            2 => Some(SealedAction::Retime),
            _ => None,
        }
    }

    /// The Redis script: KEYS[1] the key; ARGV[1] the seal, ARGV[2] the
    /// value (Put), ARGV[3] the ms.
    pub fn script(self) -> &'static str {
        match self {
            SealedAction::Put => {
                "if redis.call('get', KEYS[1]) == ARGV[1] then return 0 end \
                 redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1"
            }
            SealedAction::Seal => {
                "local t = redis.call('pttl', KEYS[1]) if t == -2 then return 0 end \
                 if t < 1 then t = ARGV[3] end \
                 redis.call('set', KEYS[1], ARGV[1], 'PX', t) return 1"
            }
            SealedAction::Retime => {
                "if redis.call('get', KEYS[1]) == ARGV[1] then return 0 end \
                 return redis.call('pexpire', KEYS[1], ARGV[3])"
            }
        }
    }
}
