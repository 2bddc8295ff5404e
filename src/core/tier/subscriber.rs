//! The subscriber connection: SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE and their
//! UNSUBSCRIBEs on a dedicated RESP3 connection (opened on first use), whose pushes
//! become [`TierEvent::Message`]s. It is kept off the shared connection:
//! that one carries CLIENT TRACKING for L1's coherence and every other
//! command, and a subscription must survive whatever they do.
//!
//! Requests run one at a time, in submission order (an UNSUBSCRIBE right
//! after a SUBSCRIBE must reach Redis after it), on one task. Losing the
//! connection is reported ([`TierEvent::SubscriberLost`]); the owner decides
//! whether to subscribe again (ioredis's `autoResubscribe`), which opens a
//! new connection. Subscription counts are the owner's to keep.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use futures_util::future::FutureExt;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use super::connection::{Done, Inner, TierEvent};
use super::dedicated;
use super::error::TierError;
use super::reply::TierReply;

/// What a request does with its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubAction {
    Subscribe,
    PSubscribe,
    Unsubscribe,
    PUnsubscribe,
    /// Sharded (Redis 7): one shard channel per command, see [`sharded`].
    SSubscribe,
    SUnsubscribe,
}

/// Which kind of message a push was (the owner names its event after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Message,
    PMessage,
    SMessage,
}

pub(super) struct Request {
    pub(super) action: SubAction,
    pub(super) names: Vec<Vec<u8>>,
    pub(super) done: Done,
}

/// One subscriber connection and whether its socket is gone.
struct Current {
    conn: MultiplexedConnection,
    dead: Arc<AtomicBool>,
}

fn bytes(v: Value) -> Vec<u8> {
    match v {
        Value::BulkString(b) => b,
        Value::SimpleString(s) => s.into_bytes(),
        Value::VerbatimString { text, .. } => text.into_bytes(),
        other => format!("{other:?}").into_bytes(),
    }
}

/// The push handler of one connection: messages go out as events; a
/// disconnection marks it dead and is reported once.
fn pushes(weak: Weak<Inner>, dead: Arc<AtomicBool>) -> Box<dyn Fn(PushInfo) + Send + Sync> {
    Box::new(move |info: PushInfo| {
        let Some(inner) = weak.upgrade() else { return };
        let mut data = info.data.into_iter();
        let event = match info.kind {
            PushKind::Message | PushKind::SMessage => {
                let kind = if info.kind == PushKind::Message {
                    MessageKind::Message
                } else {
                    MessageKind::SMessage
                };
                let (Some(channel), Some(payload)) = (data.next(), data.next()) else {
                    return;
                };
                TierEvent::Message {
                    kind,
                    pattern: None,
                    channel: bytes(channel),
                    payload: bytes(payload),
                }
            }
            PushKind::PMessage => {
                let (Some(pattern), Some(channel), Some(payload)) = (data.next(), data.next(), data.next()) else {
                    return;
                };
                TierEvent::Message {
                    kind: MessageKind::PMessage,
                    pattern: Some(bytes(pattern)),
                    channel: bytes(channel),
                    payload: bytes(payload),
                }
            }
            PushKind::Disconnection => {
                if dead.swap(true, Ordering::AcqRel) || inner.dedicated.is_closed() {
                    return;
                }
                TierEvent::SubscriberLost("subscriber connection closed".into())
            }
            _ => return,
        };
        inner.emit_event(event);
    })
}

/// SSUBSCRIBE or SUNSUBSCRIBE `names`, one command per name. redis-rs 1.8
/// has no public method for them on a MultiplexedConnection, and its
/// requests wait for one reply each; but in RESP3 an `ssubscribe` /
/// `sunsubscribe` confirmation is a push that also answers the oldest
/// request (`PushKind::has_reply`), so a command with exactly one channel
/// resolves on its one confirmation and leaves none to be taken for the
/// next request's reply. (SUNSUBSCRIBE without names would send one
/// confirmation per channel: the owner names every channel instead.)
///
/// Redis takes or refuses a SSUBSCRIBE of several channels whole (an ACL
/// denying one of them refuses them all); so when one name is refused, the
/// names this call subscribed before it are unsubscribed again (`undo`),
/// and the call fails as one command would. The owner sends only names it
/// has not subscribed yet, so none of them was subscribed before the call.
async fn sharded(
    conn: &mut MultiplexedConnection,
    command: &str,
    undo: Option<&str>,
    names: &[Vec<u8>],
) -> redis::RedisResult<()> {
    async fn one(conn: &mut MultiplexedConnection, command: &str, name: &[u8]) -> redis::RedisResult<()> {
        let mut cmd = redis::cmd(command);
        cmd.arg(name);
        conn.req_packed_command(&cmd).await?.extract_error().map(drop)
    }
    for (done, name) in names.iter().enumerate() {
        if let Err(refused) = one(conn, command, name).await {
            if let Some(undo) = undo {
                for name in &names[..done] {
                    // Best effort: a lost connection takes them with it anyway.
                    let _ = one(conn, undo, name).await;
                }
            }
            return Err(refused);
        }
    }
    Ok(())
}

async fn perform(
    inner: &Arc<Inner>,
    current: &mut Option<Current>,
    action: SubAction,
    names: Vec<Vec<u8>>,
) -> Result<TierReply, TierError> {
    if current.as_ref().is_none_or(|c| c.dead.load(Ordering::Acquire)) {
        if matches!(
            action,
            SubAction::Unsubscribe | SubAction::PUnsubscribe | SubAction::SUnsubscribe
        ) {
            // Nothing is subscribed on a connection that is not there.
            *current = None;
            return Ok(TierReply::Null);
        }
        let dead = Arc::new(AtomicBool::new(false));
        let conn = dedicated::open(inner, Some(pushes(Arc::downgrade(inner), Arc::clone(&dead)))).await?;
        *current = Some(Current { conn, dead });
    }
    let Some(c) = current.as_mut() else {
        return Err(TierError::Protocol("no subscriber connection".into()));
    };
    let sent = match action {
        SubAction::Subscribe => c.conn.subscribe(&names).await,
        SubAction::PSubscribe => c.conn.psubscribe(&names).await,
        SubAction::Unsubscribe => c.conn.unsubscribe(&names).await,
        SubAction::PUnsubscribe => c.conn.punsubscribe(&names).await,
        SubAction::SSubscribe => sharded(&mut c.conn, "SSUBSCRIBE", Some("SUNSUBSCRIBE"), &names).await,
        SubAction::SUnsubscribe => sharded(&mut c.conn, "SUNSUBSCRIBE", None, &names).await,
    };
    sent.map_err(|e| TierError::from_redis(&e))?;
    Ok(TierReply::Null)
}

/// The subscriber's task: serves requests in order until the tier closes
/// (pending and later requests fail with Closed) or is dropped.
pub(super) async fn serve(weak: Weak<Inner>, mut requests: mpsc::UnboundedReceiver<Request>) {
    let mut current: Option<Current> = None;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let request = dedicated::next_request(&inner, &mut requests, |r: Request| r.done).await;
        let Some(Request { action, names, done }) = request else {
            // Closed: the connection drops here (what was queued failed).
            drop(current.take());
            return;
        };
        let work = std::panic::AssertUnwindSafe(perform(&inner, &mut current, action, names)).catch_unwind();
        let outcome = tokio::select! {
            biased;
            _ = inner.dedicated.until_closed() => Err(TierError::Closed),
            r = work => r.unwrap_or_else(|_| Err(TierError::Protocol("a bug in tiercache: a subscription panicked".into()))),
        };
        if matches!(outcome, Err(TierError::Unavailable(_))) {
            current = None;
        }
        done(outcome);
        inner.flush_outcomes();
    }
}
