//! MONITOR (ioredis's `monitor()`): a connection of its own on which Redis
//! streams every command it runs, one line each, until the tier closes.
//!
//! MONITOR takes its connection over (Redis accepts no other command on
//! it), so it never runs on the shared connection. Each line becomes a
//! [`TierEvent::MonitorLine`]; the facade parses it. A lost connection is a
//! [`TierEvent::MonitorLost`]: the owner decides whether to start again.

use std::sync::Arc;

use futures_util::StreamExt;

use super::connection::{Done, Inner, TierEvent};
use super::error::{describe, TierError};
use super::reply::TierReply;

/// Opens the MONITOR connection: `done` gets OK once Redis confirmed it (or
/// why it could not be opened), then the lines flow as events.
pub(super) async fn run(inner: Arc<Inner>, done: Done) {
    let client = inner.client();
    let attempt = tokio::time::timeout(inner.config.connect_timeout, client.get_async_monitor());
    let monitor = tokio::select! {
        biased;
        _ = inner.dedicated.until_closed() => Err(TierError::Closed),
        opened = attempt => match opened {
            Ok(Ok(monitor)) => Ok(monitor),
            Ok(Err(e)) => Err(TierError::Unavailable(describe(&e))),
            Err(_) => Err(TierError::Unavailable(
                "Redis did not confirm MONITOR within connectTimeout".into(),
            )),
        },
    };
    let monitor = match monitor {
        Ok(monitor) => monitor,
        Err(e) => {
            done(Err(e));
            inner.flush_outcomes();
            return;
        }
    };
    done(Ok(TierReply::Status("OK")));
    inner.flush_outcomes();
    let mut lines = monitor.into_on_message::<String>();
    loop {
        let line = tokio::select! {
            biased;
            _ = inner.dedicated.until_closed() => return,
            line = lines.next() => line,
        };
        match line {
            Some(line) => inner.emit_event(TierEvent::MonitorLine(line)),
            None => {
                inner.emit_event(TierEvent::MonitorLost("the MONITOR connection was closed".into()));
                inner.flush_outcomes();
                return;
            }
        }
        inner.flush_outcomes();
    }
}
