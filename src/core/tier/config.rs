//! The Redis tier's settings, already validated by the facade.

use std::fmt;
use std::time::Duration;

use super::sentinel::SentinelConfig;

#[derive(Clone, Default)]
pub struct TlsConfig {
    /// PEM roots to trust instead of the system's.
    pub ca: Option<Vec<u8>>,
    /// PEM client certificate and key, for mutual TLS.
    pub cert: Option<Vec<u8>>,
    pub key: Option<Vec<u8>>,
    /// false accepts any certificate (ioredis's `rejectUnauthorized: false`).
    pub reject_unauthorized: bool,
}

#[derive(Clone)]
pub struct TierConfig {
    pub host: String,
    pub port: u16,
    pub tls: Option<TlsConfig>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
    /// Prepended to every key sent to Redis, stripped from keys received.
    pub key_prefix: Vec<u8>,
    pub connect_timeout: Duration,
    pub command_timeout: Duration,
    /// Commands allowed to wait for a connection being (re)established.
    pub offline_queue: usize,
    /// Consecutive failures (timeouts, broken connections) that open the breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker refuses commands before letting a probe through.
    pub breaker_cooldown: Duration,
    /// How long L1 keeps serving what it holds after losing Redis.
    pub offline_grace: Duration,
    /// How often an idle connection is pinged (zero: never).
    pub health_check_interval: Duration,
    /// Upper bound on how long L1 keeps a copy of a Redis value, in ms.
    pub l1_ttl_ms: Option<u64>,
    /// TTL given to writes that name none, in ms (the cache's `ttl` option).
    pub default_ttl_ms: Option<u64>,
    /// Where to ask for the primary's address (`host` and `port` are then
    /// only the last address found).
    pub sentinel: Option<SentinelConfig>,
}

impl Default for TierConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 6379,
            tls: None,
            username: None,
            password: None,
            db: 0,
            key_prefix: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(5),
            offline_queue: 1000,
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(1),
            offline_grace: Duration::from_secs(30),
            health_check_interval: Duration::from_secs(1),
            l1_ttl_ms: None,
            default_ttl_ms: None,
            sentinel: None,
        }
    }
}

// Written by hand so that the password can never reach a log line.
impl fmt::Debug for TierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TierConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .field("key_prefix", &String::from_utf8_lossy(&self.key_prefix))
            .field("sentinel", &self.sentinel.as_ref().map(|s| (&s.name, &s.sentinels)))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let c = TierConfig {
            password: Some("hunter2-secret".into()),
            ..TierConfig::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
