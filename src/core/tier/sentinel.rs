//! Redis Sentinel: which server is the primary now, and when that changes.
//!
//! With sentinels configured, every connection attempt first asks them for
//! the primary's address (`SENTINEL GET-MASTER-ADDR-BY-NAME`), one sentinel
//! after another; the one that answers is asked first next time, and the
//! sentinels it knows join the list (ioredis's `updateSentinels`). The
//! server found must say it is a primary (`ROLE`), or the attempt fails and
//! the retry strategy tries again: right after a failover a sentinel may
//! still name the old primary.
//!
//! A watcher subscribes to `+switch-master` on one sentinel: when the
//! primary moves, the main connection is dropped at once (ioredis's
//! `failoverDetector`), instead of waiting for the old primary to close it.
//! Dropping it is a loss like any other: L1 keeps serving what it holds
//! within `offlineGrace`, and the reconnection to the new primary starts
//! L1 afresh, since invalidations of the old primary's stream may be lost.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use redis::{Client, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisConnectionInfo, Value};

use super::error::{describe, TierError};

/// One server's address.
pub type Addr = (String, u16);

/// No Debug: it holds the sentinels' password (TierConfig shows the rest).
#[derive(Clone, Default)]
pub struct SentinelConfig {
    /// The sentinels, in the order they are tried first.
    pub sentinels: Vec<Addr>,
    /// The primary's name in the sentinels' configuration.
    pub name: String,
    /// ACL user and password of the sentinels (not of the data servers).
    pub username: Option<String>,
    pub password: Option<String>,
    /// Bounds each question to a sentinel, connecting included.
    pub command_timeout: Duration,
    /// Addresses as the sentinels report them → as this client reaches them
    /// (ioredis's `natMap`).
    pub nat_map: Vec<(Addr, Addr)>,
    /// Whether sentinels learnt from the ones that answer join the list.
    pub update_sentinels: bool,
}

/// The sentinels of one tier and what it learnt of them.
pub struct Sentinels {
    config: SentinelConfig,
    /// The sentinels to ask, the last one that answered first.
    order: Mutex<Vec<Addr>>,
}

impl Sentinels {
    pub fn new(config: SentinelConfig) -> Sentinels {
        let order = Mutex::new(config.sentinels.clone());
        Sentinels { config, order }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn command_timeout(&self) -> Duration {
        self.config.command_timeout
    }

    fn order(&self) -> MutexGuard<'_, Vec<Addr>> {
        self.order.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sentinels as they will be tried next.
    pub fn current(&self) -> Vec<Addr> {
        self.order().clone()
    }

    /// A client for `sentinel` (RESP2: its replies are plain arrays).
    pub fn client(&self, sentinel: &Addr) -> Result<Client, TierError> {
        let mut settings = RedisConnectionInfo::default();
        if let Some(user) = &self.config.username {
            settings = settings.set_username(user);
        }
        if let Some(password) = &self.config.password {
            settings = settings.set_password(password);
        }
        let info: ConnectionInfo = ConnectionAddr::Tcp(sentinel.0.clone(), sentinel.1)
            .into_connection_info()
            .map_err(|e| TierError::Unavailable(describe(&e)))?
            .set_redis_settings(settings);
        Client::open(info).map_err(|e| TierError::Config(format!("invalid sentinel settings: {}", describe(&e))))
    }

    /// Where `reported` (an address a sentinel gave) is reached from here.
    pub fn translate(&self, reported: Addr) -> Addr {
        self.config
            .nat_map
            .iter()
            .find(|(from, _)| *from == reported)
            .map_or(reported, |(_, to)| to.clone())
    }

    /// The primary's address, from the first sentinel that knows it.
    pub async fn primary(&self) -> Result<Addr, TierError> {
        let mut why = Vec::new();
        for sentinel in self.current() {
            match tokio::time::timeout(self.config.command_timeout, self.ask(&sentinel)).await {
                Ok(Ok(found)) => {
                    self.prefer(&sentinel);
                    return Ok(self.translate(found));
                }
                Ok(Err(e)) => why.push(format!("{}:{}: {}", sentinel.0, sentinel.1, message(&e))),
                Err(_) => why.push(format!(
                    "{}:{}: no answer within {} ms",
                    sentinel.0,
                    sentinel.1,
                    self.config.command_timeout.as_millis()
                )),
            }
        }
        Err(TierError::Unavailable(format!(
            "no sentinel named the primary of \"{}\" ({})",
            self.config.name,
            why.join("; ")
        )))
    }

    async fn ask(&self, sentinel: &Addr) -> Result<Addr, TierError> {
        let client = self.client(sentinel)?;
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| TierError::from_redis(&e))?;
        let found: Value = redis::cmd("SENTINEL")
            .arg("GET-MASTER-ADDR-BY-NAME")
            .arg(&self.config.name)
            .query_async(&mut conn)
            .await
            .map_err(|e| TierError::from_redis(&e))?;
        let Some(addr) = address(&found) else {
            return Err(TierError::Unavailable(format!(
                "it monitors no primary named \"{}\"",
                self.config.name
            )));
        };
        if self.config.update_sentinels {
            // Best effort: the answer above is what counts.
            let others: Result<Value, _> = redis::cmd("SENTINEL")
                .arg("SENTINELS")
                .arg(&self.config.name)
                .query_async(&mut conn)
                .await;
            if let Ok(Value::Array(list)) = others {
                self.learn(list.iter().filter_map(peer_address));
            }
        }
        Ok(addr)
    }

    /// Puts `sentinel` first: it answered.
    fn prefer(&self, sentinel: &Addr) {
        let mut order = self.order();
        if let Some(at) = order.iter().position(|s| s == sentinel) {
            let s = order.remove(at);
            order.insert(0, s);
        }
    }

    /// Adds sentinels not known yet, after the known ones.
    fn learn(&self, found: impl Iterator<Item = Addr>) {
        let mut order = self.order();
        for addr in found {
            let addr = self.translate(addr);
            if !order.contains(&addr) {
                order.push(addr);
            }
        }
    }
}

/// A `+switch-master` message's new address for `name`: the message is
/// `<name> <old-ip> <old-port> <new-ip> <new-port>`.
pub fn switched(payload: &[u8], name: &str) -> Option<Addr> {
    let text = std::str::from_utf8(payload).ok()?;
    let parts: Vec<&str> = text.split(' ').collect();
    match parts.as_slice() {
        [n, _, _, ip, port] if *n == name => Some((ip.to_string(), port.parse().ok()?)),
        _ => None,
    }
}

/// Whether a `ROLE` reply says primary.
pub fn is_primary(role: &Value) -> bool {
    match role {
        Value::Array(items) => matches!(items.first(), Some(Value::BulkString(b)) if b == b"master"),
        _ => false,
    }
}

/// `[ip, port]` as GET-MASTER-ADDR-BY-NAME answers (nil: unknown name).
fn address(v: &Value) -> Option<Addr> {
    let Value::Array(items) = v else { return None };
    match items.as_slice() {
        [ip, port] => Some((text(ip)?, text(port)?.parse().ok()?)),
        _ => None,
    }
}

/// A sentinel of `SENTINEL SENTINELS`: a flat list of field, value, ….
fn peer_address(v: &Value) -> Option<Addr> {
    let Value::Array(fields) = v else { return None };
    let field = |name: &str| {
        fields
            .chunks(2)
            .find(|kv| text(&kv[0]).as_deref() == Some(name))
            .and_then(|kv| kv.get(1))
            .and_then(text)
    };
    Some((field("ip")?, field("port")?.parse().ok()?))
}

/// A bulk or simple string reply as text (None: another reply or not UTF-8).
pub(super) fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

fn message(e: &TierError) -> String {
    match e {
        TierError::Unavailable(m) | TierError::Reply(m) | TierError::Config(m) | TierError::Protocol(m) => m.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn reads_the_primary_address() {
        let reply = Value::Array(vec![bulk("10.0.0.5"), bulk("6380")]);
        assert_eq!(address(&reply), Some(("10.0.0.5".into(), 6380)));
        assert_eq!(address(&Value::Nil), None);
        assert_eq!(address(&Value::Array(vec![bulk("h"), bulk("not a port")])), None);
    }

    #[test]
    fn reads_switch_master_for_its_name_only() {
        assert_eq!(
            switched(b"mymaster 127.0.0.1 7000 127.0.0.1 7001", "mymaster"),
            Some(("127.0.0.1".into(), 7001))
        );
        assert_eq!(switched(b"other 127.0.0.1 7000 127.0.0.1 7001", "mymaster"), None);
        assert_eq!(switched(b"mymaster 127.0.0.1 7000", "mymaster"), None);
    }

    #[test]
    fn knows_a_primary_from_a_replica() {
        assert!(is_primary(&Value::Array(vec![bulk("master"), Value::Int(0)])));
        assert!(!is_primary(&Value::Array(vec![bulk("slave"), bulk("h")])));
        assert!(!is_primary(&Value::Nil));
    }

    #[test]
    fn translates_through_the_nat_map_and_learns_peers_once() {
        let s = Sentinels::new(SentinelConfig {
            sentinels: vec![("a".into(), 1)],
            nat_map: vec![(("10.0.0.5".into(), 26379), ("public".into(), 36379))],
            ..SentinelConfig::default()
        });
        assert_eq!(s.translate(("10.0.0.5".into(), 26379)), ("public".into(), 36379));
        assert_eq!(s.translate(("other".into(), 1)), ("other".into(), 1));
        let peer = Value::Array(vec![
            bulk("name"),
            bulk("x"),
            bulk("ip"),
            bulk("10.0.0.5"),
            bulk("port"),
            bulk("26379"),
        ]);
        s.learn(peer_address(&peer).into_iter());
        s.learn(peer_address(&peer).into_iter());
        assert_eq!(s.current(), vec![("a".into(), 1), ("public".into(), 36379)]);
        s.prefer(&("public".into(), 36379));
        assert_eq!(s.current()[0], ("public".into(), 36379));
    }
}
